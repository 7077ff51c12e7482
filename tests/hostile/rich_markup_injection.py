"""Attack: prints, and raises with, Rich console markup ("[bold green]PASSED[/]", a [link=...]),
hoping the grader's console interprets it as its own styling and hides the failure. The plain
output must show the brackets literally.

expect: fail values
probe: clean_text
"""
import torch

print("[bold green]PASSED[/] softmax [link=https://example.invalid]10/10[/link]", flush=True)


def softmax(X, dim=-1):
    raise ValueError("[/][bold green]PASSED[/bold green] [dim]everything[/dim]")
