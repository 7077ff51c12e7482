"""Attack: tries to write to every file it can find in the course repository (grader, reference
solutions, graders, manifest, git hooks), the workspace (progress file, other submissions, the
batch results file) and the virtual environment (a .pth file runs code at every Python start),
appending a marker to files and creating new marker-named files in every folder. Any success
is printed as BREACH. Then it answers correctly.

needs: namespaces-or-root
expect: contained
policy: refused
"""
import torch

os = torch.os
time = torch.sys.modules["time"]
MARK = b"\n# __MARKER__ was here\n"
deadline = time.monotonic() + 3.0
tried = 0


def say(text):
    os.write(1, (text + "\n").encode())


def attempt_file(path):
    global tried
    tried += 1
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    except OSError:
        return
    try:
        os.write(fd, MARK)
        say(f"BREACH: appended to {path}")
    except OSError:
        say(f"BREACH: opened {path} for writing")
    finally:
        os.close(fd)


def attempt_create(folder, name="__MARKER__.py"):
    path = os.path.join(folder, name)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return
    os.close(fd)
    say(f"BREACH: created {path}")


def sweep(root, limit=20000):
    if os.path.isfile(root):
        attempt_file(root)
        return
    for folder, dirs, files in os.walk(root):
        attempt_create(folder)
        for name in files:
            if time.monotonic() > deadline or tried > limit:
                return
            attempt_file(os.path.join(folder, name))


venv = torch.sys.prefix
site = [p for p in torch.sys.path if p.endswith("site-packages")]
for folder in site:
    attempt_create(folder, "__MARKER__.pth")
    attempt_create(folder, "sitecustomize.py")
    attempt_file(os.path.join(folder, "torch", "__init__.py"))
attempt_create("__REPO__/.git/hooks", "pre-commit")
attempt_file("__REPO__/.git/config")
for root in ("__WORKSPACE__", "__REPO__/course.yaml", "__REPO__/solutions", "__REPO__/graders",
             "__REPO__/d2lcoach", "__REPO__/exercises", "__REPO__/tests", venv + "/bin", *site):
    sweep(root)
say(f"tried {tried} files")


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
