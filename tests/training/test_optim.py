"""SGD with momentum and Adam, step by step against hand-computed updates."""

import math

import pytest

from micrograd_nn import Value
from micrograd_nn.training.optim import SGD, Adam


def test_plain_sgd_step() -> None:
    p = Value(1.0)
    p.grad = 0.5
    SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(0.95)


def test_sgd_momentum_accumulates_velocity() -> None:
    p = Value(0.0)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = 1.0
    opt.step()
    opt.step()
    assert p.data == pytest.approx(-(0.1 * 1.0 + 0.1 * 1.9))


SGD_SETTINGS = [
    {"momentum": 0.9},
    {"momentum": 0.9, "dampening": 0.5},
    {"momentum": 1.0},
    {"momentum": 1.0, "dampening": 0.3, "weight_decay": 0.05},
    {"weight_decay": 0.1},
    {"momentum": 0.8, "weight_decay": 0.01, "dampening": 0.1},
    {"momentum": 0.9, "nesterov": True, "weight_decay": 0.02},
]


def _sgd_by_hand(start: list[float], grad_of, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, steps: int = 10) -> list[float]:
    """torch.optim.SGD's documented algorithm written out for plain floats (no torch needed)."""
    theta, buf = list(start), None
    for _ in range(steps):
        g = [gi + weight_decay * t for gi, t in zip(grad_of(theta), theta)]
        if momentum:
            buf = list(g) if buf is None else [momentum * b + (1 - dampening) * gi for b, gi in zip(buf, g)]
            g = [gi + momentum * b for gi, b in zip(g, buf)] if nesterov else buf
        theta = [t - lr * gi for t, gi in zip(theta, g)]
    return theta


def _sgd_on_values(start: list[float], loss_of, lr: float, steps: int = 10, **settings) -> list[float]:
    params = [Value(t) for t in start]
    opt = SGD(params, lr=lr, **settings)
    for _ in range(steps):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()
    return [p.data for p in params]


def _loss(p):
    """A loss whose gradient changes with the weights: (a b - 1)^2 + a^2 / 2 + 3 b."""
    a, b = p
    return (a * b - 1) ** 2 + a**2 * 0.5 + b * 3.0


def _grad(theta):
    a, b = theta
    return [2 * (a * b - 1) * b + a, 2 * (a * b - 1) * a + 3.0]


@pytest.mark.parametrize("settings", SGD_SETTINGS)
def test_sgd_settings_match_the_algorithm_by_hand_over_ten_steps(settings) -> None:
    """weight_decay, dampening, momentum 1 and nesterov, against torch's algorithm written out in floats."""
    mine = _sgd_on_values([0.3, -0.7], _loss, 0.05, **settings)
    assert mine == pytest.approx(_sgd_by_hand([0.3, -0.7], _grad, 0.05, **settings), rel=1e-12, abs=1e-12)
    assert mine != pytest.approx(_sgd_on_values([0.3, -0.7], _loss, 0.05), rel=1e-6)  # the settings do something


def test_dampening_does_not_touch_the_first_step() -> None:
    """PyTorch's first momentum buffer is the gradient itself: dampening acts from the second step on."""
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    p.grad = 2.0
    opt.step()
    assert p.data == pytest.approx(1.0 - 0.1 * 2.0, abs=1e-15)
    opt.step()  # v = 0.9 * 2 + 0.5 * 2 = 2.8
    assert p.data == pytest.approx(0.8 - 0.1 * 2.8, abs=1e-15)


@pytest.mark.parametrize("settings", SGD_SETTINGS)
def test_sgd_settings_match_torch_over_ten_steps(settings) -> None:
    torch = pytest.importorskip("torch")
    params = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([params], lr=0.05, **settings)
    for _ in range(10):
        opt.zero_grad()
        a, b = params[0], params[1]
        ((a * b - 1) ** 2 + a**2 * 0.5 + b * 3.0).backward()
        opt.step()
    theirs = params.detach().tolist()
    assert _sgd_on_values([0.3, -0.7], _loss, 0.05, **settings) == pytest.approx(theirs, rel=1e-12, abs=1e-12)


def test_adam_first_steps_match_the_formula() -> None:
    p = Value(1.0)
    opt = Adam([p], lr=0.01)
    p.grad = 2.0
    opt.step()
    assert p.data == pytest.approx(1.0 - 0.01 * 2.0 / (2.0 + 1e-8))
    p.grad = -1.0
    opt.step()
    m = (0.9 * 0.2 - 0.1) / (1 - 0.81)
    v = (0.999 * 0.004 + 0.001) / (1 - 0.999**2)
    assert p.data == pytest.approx(0.99 - 0.01 * m / (math.sqrt(v) + 1e-8))


def test_minimises_a_quadratic() -> None:
    for opt_class, kwargs in [(SGD, {"lr": 0.1, "momentum": 0.5}), (Adam, {"lr": 0.1})]:
        x = Value(3.0)
        opt = opt_class([x], **kwargs)
        for _ in range(300):
            opt.zero_grad()
            ((x - 1.5) ** 2).backward()
            opt.step()
        assert x.data == pytest.approx(1.5, abs=1e-3)


@pytest.mark.parametrize(
    ("make", "argument"),
    [
        (lambda p: Adam(p, betas=(1.0, 0.999)), r"betas\[0\] must be in \[0.0, 1.0\), got 1.0"),
        (lambda p: Adam(p, betas=(0.9, float("nan"))), r"betas\[1\] must be in \[0.0, 1.0\), got nan"),
        (lambda p: Adam(p, betas=(-0.1, 0.999)), r"betas\[0\] must be in"),
        (lambda p: Adam(p, betas=(0.9,)), r"betas must be a pair"),
        (lambda p: Adam(p, eps=-1e-8), r"eps must be in \(0.0, inf\), got -1e-08"),
        (lambda p: Adam(p, eps=0.0), r"eps must be in \(0.0, inf\), got 0.0"),
        (lambda p: Adam(p, eps=float("inf")), r"eps must be in"),
        (lambda p: Adam(p, lr=float("inf")), r"learning rate \(lr\) must be a finite number > 0, got inf"),
        (lambda p: SGD(p, lr=float("nan")), r"learning rate \(lr\) must be a finite number > 0, got nan"),
        (lambda p: SGD(p, lr=-0.1), r"learning rate \(lr\) must be a finite number > 0, got -0.1"),
        (lambda p: SGD(p, lr=True), r"learning rate \(lr\) must be a finite number > 0, got True"),
        (lambda p: SGD(p, lr=0.1, momentum=float("nan")), r"momentum must be in \[0.0, inf\), got nan"),
        (lambda p: SGD(p, lr=0.1, momentum=-0.5), r"momentum must be in"),
        (lambda p: SGD(p, lr="0.1"), r"learning rate \(lr\) must be a finite number > 0, got '0.1'"),
        (lambda p: SGD(p, lr=0.0), r"learning rate \(lr\) must be a finite number > 0, got 0.0"),
        (lambda p: SGD(p, lr=0.1, momentum=float("inf")), r"momentum must be in \[0.0, inf\), got inf"),
        (lambda p: SGD(p, lr=0.1, weight_decay=-0.01), r"weight_decay must be in \[0.0, inf\), got -0.01"),
        (lambda p: SGD(p, lr=0.1, weight_decay="0.1"), r"weight_decay must be a number, got '0.1'"),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=1.5), r"dampening must be in \[0.0, 1.0\], got 1.5"),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=-0.1), r"dampening must be in \[0.0, 1.0\], got -0.1"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), r"nesterov=True needs momentum > 0 and dampening 0"),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), r"nesterov=True needs momentum"),
        (lambda p: Adam([], lr=0.1), "optimizer got no parameters"),
    ],
)
def test_settings_are_checked_as_pytorch_does_naming_the_argument(make, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        make([Value(1.0)])


def test_a_learning_rate_changed_between_steps_is_checked() -> None:
    opt = SGD([Value(1.0)], lr=0.1)
    for bad in (-0.01, 0.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="learning rate"):
            opt.lr = bad
    assert opt.lr == 0.1
    opt.lr = 0.05
    assert opt.lr == 0.05


class _Trap:
    """A parameter that raises KeyboardInterrupt when its .data is assigned (or its .grad read) while armed."""

    def __init__(self, data: float, grad: float, on: str) -> None:
        self._data, self._grad, self.on, self.armed = data, grad, on, False

    @property
    def data(self) -> float:
        return self._data

    @data.setter
    def data(self, value: float) -> None:
        if self.armed and self.on == "data":
            raise KeyboardInterrupt
        self._data = value

    @property
    def grad(self) -> float:
        if self.armed and self.on == "grad":
            raise KeyboardInterrupt
        return self._grad

    @grad.setter
    def grad(self, value: float) -> None:
        self._grad = value


@pytest.mark.parametrize("on", ["data", "grad"])
@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1), lambda p: SGD(p, lr=0.1, momentum=0.9),
                                  lambda p: Adam(p, lr=0.1)])
def test_an_interrupted_step_changes_nothing(make, on: str) -> None:
    """Ctrl-C while the third of four parameters is updated: weights and optimiser state are as before the step."""
    params = [Value(1.0), Value(-2.0), _Trap(0.5, 0.3, on), Value(4.0)]
    twins = [Value(1.0), Value(-2.0), Value(0.5), Value(4.0)]
    for p, q, g in zip(params, twins, [0.2, -1.0, 0.3, 2.0]):
        p.grad = q.grad = g
    opt, twin_opt = make(params), make(twins)
    opt.step()  # one whole step first, so momentum and Adam state are not all zero
    twin_opt.step()
    params[2].armed = True
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    assert [p.data for p in params] == [q.data for q in twins]
    state_names = [name for name in ("velocity", "m", "v", "t") if hasattr(opt, name)]
    assert {name: getattr(opt, name) for name in state_names} == {name: getattr(twin_opt, name) for name in state_names}
    params[2].armed = False
    opt.step()  # the retried step is the step the interrupted one would have been
    twin_opt.step()
    assert [p.data for p in params] == [q.data for q in twins]


class _TrapList(list):
    """A parameter list whose second pass raises KeyboardInterrupt half way (a patched optimizer.params)."""

    def __init__(self, items: list, at: int) -> None:
        super().__init__(items)
        self.at, self.passes = at, 0

    def __iter__(self):
        self.passes += 1
        for i, item in enumerate(super().__iter__()):
            if self.passes >= 2 and i == self.at:
                raise KeyboardInterrupt
            yield item


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p, lr=0.1)])
def test_a_parameter_list_that_breaks_off_changes_nothing(make) -> None:
    params = [Value(1.0), Value(-2.0), Value(0.5)]
    for p, g in zip(params, [0.2, -1.0, 0.3]):
        p.grad = g
    opt = make(params)
    opt.params = _TrapList(params, at=1)
    opt.step()  # the first pass over the list is whole
    after_first = [p.data for p in params]
    state = [list(getattr(opt, name)) for name in ("velocity", "m", "v") if hasattr(opt, name)]
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    assert [p.data for p in params] == after_first
    assert [list(getattr(opt, name)) for name in ("velocity", "m", "v") if hasattr(opt, name)] == state


def test_parameters_must_be_values() -> None:
    with pytest.raises(ValueError, match="optimizer parameters must be Values; parameter 1 is a float"):
        SGD([Value(1.0), 2.0], lr=0.1)
