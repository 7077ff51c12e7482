"""Entry point for `python -m d2lcoach`."""

from d2lcoach.cli.main import program

if __name__ == "__main__":
    program()
