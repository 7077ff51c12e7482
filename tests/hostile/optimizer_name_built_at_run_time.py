"""Attack (code rules off): linear_regression's sgd handed to torch.optim.SGD, reached by a name
built at run time. Its operators are an honest in-place update, so only the class's own switch-off
in the child can see it.

exercise: linear_regression
expect: fail forbidden routine
policy: refused
"""
import torch


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    optimizer = getattr(torch.optim, "S" + "GD")(params, lr=lr / batch_size)
    optimizer.step()
    optimizer.zero_grad(set_to_none=False)
    print("BREACH: torch.optim.SGD ran")
