"""GAN losses and metrics against values computed by hand."""
import math

import numpy as np
import pytest
import torch

from sketchgen.evaluation import PSNR
from sketchgen.models.losses import GANLoss, L1Loss

LOGITS = torch.tensor([[2.0, -1.0], [0.5, 0.0]])


def softplus(x):
    return math.log1p(math.exp(x))


def test_vanilla_is_bce_with_logits():
    loss = GANLoss('vanilla')
    # BCE(x, 1) = softplus(-x), BCE(x, 0) = softplus(x)
    real = np.mean([softplus(-v) for v in (2.0, -1.0, 0.5, 0.0)])
    fake = np.mean([softplus(v) for v in (2.0, -1.0, 0.5, 0.0)])
    assert loss(LOGITS, True, is_disc=True).item() == pytest.approx(real, abs=1e-6)
    assert loss(LOGITS, False, is_disc=True).item() == pytest.approx(fake, abs=1e-6)


def test_lsgan_is_squared_distance_to_labels():
    loss = GANLoss('lsgan')
    assert loss(LOGITS, True).item() == pytest.approx((1 + 4 + 0.25 + 1) / 4)
    assert loss(LOGITS, False).item() == pytest.approx((4 + 1 + 0.25 + 0) / 4)


def test_hinge_discriminator_and_generator_sides():
    loss = GANLoss('hinge')
    # D real: mean relu(1 - x) = (0 + 2 + 0.5 + 1) / 4 ; D fake: mean relu(1 + x)
    assert loss(LOGITS, True, is_disc=True).item() == pytest.approx(3.5 / 4)
    assert loss(LOGITS, False, is_disc=True).item() == pytest.approx((3 + 0 + 1.5 + 1) / 4)
    assert loss(LOGITS, True, is_disc=False).item() == pytest.approx(-1.5 / 4)


def test_wgan_is_signed_mean():
    loss = GANLoss('wgan')
    assert loss(LOGITS, True, is_disc=True).item() == pytest.approx(-0.375)
    assert loss(LOGITS, False, is_disc=True).item() == pytest.approx(0.375)


def test_loss_weight_scales_generator_side_only():
    loss = GANLoss('lsgan', loss_weight=3.0)
    assert loss(LOGITS, True).item() == pytest.approx(3 * 6.25 / 4)
    assert loss(LOGITS, True, is_disc=True).item() == pytest.approx(6.25 / 4)


def test_unknown_gan_type():
    with pytest.raises(ValueError, match="gan_type='wgan-gp' is not one of"):
        GANLoss('wgan-gp')


def test_l1_loss_weight():
    assert L1Loss(100.0)(torch.zeros(2, 3), torch.full((2, 3), 0.5)).item() == 50.0


def test_psnr_hand_value():
    pred, target = torch.zeros(1, 3, 4, 4), torch.full((1, 3, 4, 4), 0.1)
    m = PSNR()
    m.process(pred, target)
    assert m.compute()['PSNR'] == pytest.approx(20.0, abs=1e-4)  # 10 log10(1 / 0.01)
    assert m.num_samples == 1
