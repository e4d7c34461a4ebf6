"""CycleGAN (Zhu et al. 2017) and the landmark-guided cartoon CycleGAN (seed 003,
after Wu et al. 2019), whose additions are each switched on in the config.

Two generators, G = `generator` (A -> B) and F = `generator_ba` (B -> A), and two
discriminators, D_B = `discriminator_b` (judges B images) and D_A:

    L_G = GAN(D_B(G(a))) + GAN(D_A(F(b)))                        adversarial, lsgan
        + 10 |F(G(a)) - a|_1 + 10 |G(F(b)) - b|_1                cycle
        + 5 |G(b) - b|_1 + 5 |F(a) - a|_1                        identity (0.5 * 10)
        [+ lambda_lm ||R(G(a, l)) - l_a||_2]                      landmark consistency
        [+ sum_part lambda_part GAN(D_part(patches of G(a) around l_a))]  local Ds
        [+ lambda_cls CE(C(G(a, l)), l)]                         label classifier
        [+ lambda_swap |G(F(b), l') - b'|_1]                     label swap
    L_D = 0.5 [GAN(D(real), 1) + GAN(D(pool(fake)), 0)] for D_A, D_B and each local D
        [+ CE(C(b), l_b)]                                        C learns real B's labels

Condition labels (`labels=dict(hair=('black', ...), ...)`): one-hot per attribute,
given to G (at its input and every residual block) and to D_B (at its input), so
G(a, l) must draw B images with the attribute l. F is unconditional; the B -> A ->
B cycle uses b's own label, which ties the label to what the image shows. An
optional auxiliary classifier C (`label_classifier`, after AC-GAN) reads the labels
off real B images and asks G to draw what C reads as the requested label. Where
the data draws each B face with every hair label (the built-in emoji faces), the
label-swap loss (`label_swap_loss`) supervises the label directly: F(b) sent back
with another label l' must give b', the same face drawn with l'.

Local discriminators judge eye, nose and mouth windows cut around the landmarks
(the input's landmarks on G(a): the face keeps its geometry) from iteration
`start_iter` on (Wu et al.'s stage II). Generated images go through a 50-image
history pool before the discriminators see them (Shrivastava et al. 2017). With
`disc_augment` (DiffAugment, Zhao et al. 2020) every image a discriminator judges,
real or generated, in D's update and in G's, is randomly translated / cut out first:
on small data the discriminators otherwise memorise the real set.
"""
from __future__ import annotations

import inspect

import torch
from PIL import ImageColor

from sketchgen.models.algorithms.base import ImageTranslationModel, set_requires_grad
from sketchgen.models.generators.resnet import label_maps
from sketchgen.models.init import init_weights
from sketchgen.models.face_landmarks import crop_patches, gaussian_window, part_centres
from sketchgen.registry import LOSSES, MODELS

DIRECTIONS = ('AtoB', 'BtoA')


class ImagePool:
    """History of generated images for the discriminator (the CycleGAN reference).

    Until `size` images are stored every image is stored and returned; then each
    image is, with probability 0.5, swapped for a random stored one (returned,
    while the new one takes its place), and otherwise returned as it is. Uses the
    torch RNG, which the trainer seeds and checkpoints. size 0 disables the pool.
    """

    def __init__(self, size: int = 50):
        self.size = size
        self.images: list[torch.Tensor] = []

    def query(self, images: torch.Tensor) -> torch.Tensor:
        if self.size == 0:
            return images
        out = []
        for image in images.detach():
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
            elif torch.rand(()) < 0.5:
                slot = int(torch.randint(self.size, ()))
                out.append(self.images[slot].clone())
                self.images[slot] = image.clone()
            else:
                out.append(image)
        return torch.stack(out)


@MODELS.register_module()
class CycleGAN(ImageTranslationModel):
    """Args:
        generator: config of both generators (ResnetGenerator in the paper; a U-Net
            works where labels are not used). `label_channels` is filled in for G.
        discriminator: config of D_A and D_B (unconditional PatchGAN, in_channels 3;
            D_B's input channels grow by the label length).
        gan_loss: lsgan by default (the paper).
        cycle_loss, identity_loss: L1 with weights 10 and 5 (= 0.5 * 10); identity
            None to drop it (needed when A and B have different channel counts).
        pool_size: generated-image history for the discriminators (50).
        disc_loss_weight: the reference halves D's loss.
        labels: {attribute: (value names)} for condition labels, or None.
        landmark_loss: `LandmarkLoss` config (needs `landmarks_a` in the batches).
        local_discriminators: dict(parts=dict(eyes=dict(size=(h, w), weight=0.3), ...),
            discriminator=<PatchGAN config>, heatmap_sigma=None or pixels,
            start_iter=0) -- needs `landmarks_a` and `landmarks_b` in the batches.
        label_classifier: `LabelClassifier` config (its `label_sizes` is filled in
            from `labels`), trained with the discriminators; None for none.
        label_loss_weight: lambda_cls, the weight of G's classification loss.
        disc_augment: a `DiffAugment` config applied to every discriminator input
            (image channels only; D_B's label maps stay whole), or None.
        label_swap_loss: an L1Loss config (its weight is lambda_swap) or None; needs
            `target_swap` and `label_swap` in the batches (EmojiUnpairedDataset's
            `label_swaps=True`). A loss whose forward takes `reference` (e.g.
            ChangedRegionL1Loss) also gets b, to weight the pixels the label changes.
        label_colour_loss: a `RegionColourLoss` config, or None: for every attribute in
            `label_colours`, the pixels of G(a, l) inside a's region of it (the batch's
            `<attribute>_mask_a`, -1 inside, as EmojiUnpairedDataset's with_hair_masks
            gives `hair_mask_a`) are pulled to the colour of the requested value. It
            teaches the label on real A, where the swap loss teaches it on F(b) only.
        label_colours: {attribute: {value: '#rrggbb'}} for `label_colour_loss`, every
            value of the attribute in `labels` with a colour.
        label_outside_loss: a `RegionL1Loss` config, or None: for every attribute in
            `label_colours`, G(a, l) must equal G(a, l') outside a's region of it, where
            l' asks for another value of the attribute (drawn at random; G(a, l') is not
            back-propagated through). It asks a label to change its region and nothing
            else, and a face with no region (a hat over the hair) to stay as it is; on the
            emoji faces it does the first a little better and the second barely
            (docs/results/cyclegan.md).
        cycle_skips_label_regions: the cycle loss on A leaves out a's regions of the
            attributes in `label_colours` (a's hair): F(G(a, l)) is not asked to give
            back a's own hair there. F sees only G(a, l), whose hair is the requested
            colour, so a's old hair colour cannot come back without G hiding it in its
            output, and the full cycle loss pulled every recoloured hair back towards
            the input's. Without a's hair in it, the hair label on real emoji faces is
            right 0.811 +- 0.014 of the time over three seeds, against 0.751 +- 0.010
            (docs/results/cyclegan.md).
        outside_identity_loss: a `RegionL1Loss` config, or None: G(a, l) must equal a
            outside a's regions of the attributes in `label_colours` (the identity loss
            on A, kept to where the label asks for no change). The paper's identity loss
            holds G(b) to b; on faces whose style the model barely changes, G's changes
            outside the hair (hats taking the hair colour, fringes at the hair's edge)
            cost most of the FID gap to the input itself (docs/results/cyclegan.md).
        direction: the direction `generate`/`infer` translate by default.
        init_type, init_gain, image_size, test_mode: as Pix2Pix.
    """

    def __init__(self, generator: dict, discriminator: dict,
                 gan_loss: dict = dict(type='GANLoss', gan_type='lsgan'),
                 cycle_loss: dict = dict(type='L1Loss', loss_weight=10.0),
                 identity_loss: dict | None = dict(type='L1Loss', loss_weight=5.0),
                 pool_size: int = 50, disc_loss_weight: float = 0.5,
                 labels: dict | None = None, landmark_loss: dict | None = None,
                 local_discriminators: dict | None = None,
                 label_classifier: dict | None = None, label_loss_weight: float = 1.0,
                 label_swap_loss: dict | None = None, disc_augment: dict | None = None,
                 label_colour_loss: dict | None = None, label_colours: dict | None = None,
                 label_outside_loss: dict | None = None,
                 cycle_skips_label_regions: bool = False,
                 outside_identity_loss: dict | None = None, direction: str = 'AtoB',
                 init_type: str = 'normal', init_gain: float = 0.02, image_size: int = 256,
                 test_mode: str = 'eval'):
        self.labels = {k: tuple(v) for k, v in (labels or {}).items()}
        label_channels = sum(len(v) for v in self.labels.values())
        for attribute, values in self.labels.items():
            if len(values) < 2 or len(set(values)) != len(values):
                raise ValueError(f'CycleGAN: labels.{attribute} needs at least two distinct '
                                 f'values, got {values}')
        if label_channels and generator.get('type') != 'ResnetGenerator':
            raise ValueError('CycleGAN: condition labels need a generator that takes them '
                             f'(ResnetGenerator), not {generator.get("type")}')
        g_ab = dict(generator, label_channels=label_channels) if label_channels else generator
        super().__init__(g_ab, image_size=image_size, test_mode=test_mode)
        if direction not in DIRECTIONS:
            raise ValueError(f'CycleGAN: direction={direction!r} is not one of {DIRECTIONS}')
        self.direction = direction
        self.generator_ba = MODELS.build(generator)
        self.discriminator_a = MODELS.build(discriminator)
        in_channels = discriminator.get('in_channels', 3)
        self.discriminator_b = MODELS.build(dict(discriminator,
                                                 in_channels=in_channels + label_channels))
        self.gan_loss = LOSSES.build(gan_loss)
        self.cycle_loss = LOSSES.build(cycle_loss)
        self.identity_loss = LOSSES.build(identity_loss) if identity_loss else None
        self.landmark_loss = LOSSES.build(landmark_loss) if landmark_loss else None
        self.disc_loss_weight = disc_loss_weight
        self.pools = {'a': ImagePool(pool_size), 'b': ImagePool(pool_size)}
        networks = [self.generator, self.generator_ba, self.discriminator_a,
                    self.discriminator_b]
        self.label_classifier = None
        if label_classifier is not None:
            if not self.labels:
                raise ValueError('CycleGAN: label_classifier needs condition `labels`')
            # PyTorch's default init, not N(0, 0.02): the classifier learned real labels
            # faster from it (cross-entropy 2.89 vs 3.09 after 200 steps at lr 2e-4,
            # batch 4; chance 3.40).
            self.label_classifier = MODELS.build(dict(
                label_classifier, label_sizes=tuple(len(v) for v in self.labels.values())))
        self.label_loss_weight = label_loss_weight
        if label_swap_loss is not None and not self.labels:
            raise ValueError('CycleGAN: label_swap_loss needs condition `labels`')
        self.label_swap_loss = LOSSES.build(label_swap_loss) if label_swap_loss else None
        self.disc_augment = MODELS.build(disc_augment) if disc_augment else None
        self.label_colour_loss = LOSSES.build(label_colour_loss) if label_colour_loss else None
        self.label_colours = self._colour_tables(label_colours or {})
        if self.label_colour_loss is not None and not self.label_colours:
            raise ValueError('CycleGAN: label_colour_loss needs `label_colours`, e.g. '
                             "dict(hair=dict(black='#1a1a1a', ...))")
        self.label_outside_loss = LOSSES.build(label_outside_loss) if label_outside_loss \
            else None
        if self.label_outside_loss is not None and not self.label_colours:
            raise ValueError('CycleGAN: label_outside_loss keeps each attribute of '
                             '`label_colours` inside its region; give label_colours')
        if cycle_skips_label_regions and not self.label_colours:
            raise ValueError('CycleGAN: cycle_skips_label_regions leaves the regions of '
                             '`label_colours` out of the cycle loss; give label_colours')
        self.cycle_skips_label_regions = cycle_skips_label_regions
        self.outside_identity_loss = LOSSES.build(outside_identity_loss) \
            if outside_identity_loss else None
        if self.outside_identity_loss is not None and not self.label_colours:
            raise ValueError('CycleGAN: outside_identity_loss holds G(a, l) to a outside the '
                             'regions of `label_colours`; give label_colours')
        self.swap_loss_takes_reference = self.label_swap_loss is not None and \
            'reference' in inspect.signature(self.label_swap_loss.forward).parameters

        local = dict(local_discriminators or {})
        self.local_parts = dict(local.get('parts', {}))
        self.local_start_iter = local.get('start_iter', 0)
        self.heatmap_sigma = local.get('heatmap_sigma')
        unknown = local.keys() - {'parts', 'discriminator', 'heatmap_sigma', 'start_iter'}
        if unknown:
            raise ValueError(f'CycleGAN: local_discriminators has unknown keys {sorted(unknown)}')
        for part, settings in self.local_parts.items():
            part_centres(torch.zeros(1, 5, 2), part)  # names the part if it is unknown
            if 'size' not in settings:
                raise ValueError(f'CycleGAN: local_discriminators.parts.{part} needs a window '
                                 '`size` (h, w)')
            net = MODELS.build(local.get('discriminator', discriminator))
            setattr(self, f'discriminator_{part}', net)
            networks.append(net)
            self.pools[part] = ImagePool(pool_size)
        for net in networks:
            init_weights(net, init_type, init_gain)

    def _colour_tables(self, label_colours: dict) -> dict[str, torch.Tensor]:
        """{attribute: (values, 3) colours in [-1, 1], in the order of `labels`}."""
        tables = {}
        for attribute, colours in label_colours.items():
            if attribute not in self.labels:
                raise ValueError(f'CycleGAN: label_colours.{attribute} names no attribute of '
                                 f'labels {sorted(self.labels)}')
            missing = [v for v in self.labels[attribute] if v not in colours]
            if missing:
                raise ValueError(f'CycleGAN: label_colours.{attribute} has no colour for '
                                 f'{missing}')
            rows = []
            for value in self.labels[attribute]:
                try:
                    rgb = ImageColor.getrgb(str(colours[value]))[:3]
                except ValueError:
                    raise ValueError(f'CycleGAN: label_colours.{attribute}.{value}='
                                     f'{colours[value]!r} is not a colour (e.g. #rrggbb)'
                                     ) from None
                rows.append([c / 127.5 - 1 for c in rgb])
            tables[attribute] = torch.tensor(rows)
        return tables

    def label_columns(self, attribute: str) -> slice:
        """The columns of `attribute`'s one-hot vector in the concatenated labels."""
        start = 0
        for name, values in self.labels.items():
            if name == attribute:
                return slice(start, start + len(values))
            start += len(values)
        raise KeyError(f'CycleGAN: no label attribute {attribute!r} in {sorted(self.labels)}')

    def requested_colours(self, labels: torch.Tensor, attribute: str) -> torch.Tensor:
        """(N, L) concatenated one-hot labels -> (N, 3) the colour of each image's
        requested `attribute` value, in [-1, 1]."""
        table = self.label_colours[attribute].to(labels.device, labels.dtype)
        return labels[:, self.label_columns(attribute)] @ table

    def other_value_labels(self, labels: torch.Tensor, attribute: str) -> torch.Tensor:
        """A copy of (N, L) one-hot labels with `attribute` set, per image, to another of
        its values drawn at random (the other attributes kept)."""
        columns = self.label_columns(attribute)
        count = columns.stop - columns.start
        current = labels[:, columns].argmax(1)
        other = (current + torch.randint(1, count, current.shape, device=labels.device)) % count
        labels = labels.clone()
        labels[:, columns] = torch.nn.functional.one_hot(other, count).to(labels.dtype)
        return labels

    def optimizer_groups(self) -> dict[str, tuple[str, ...]]:
        """One optimiser for both generators, one for every discriminator (the
        reference's itertools.chain of parameters)."""
        return {'generators': ('generator', 'generator_ba'),
                'discriminators': ('discriminator_a', 'discriminator_b',
                                   *(f'discriminator_{p}' for p in self.local_parts),
                                   *(('label_classifier',) if self.label_classifier else ()))}

    # ------------------------------------------------------------------ labels
    @property
    def label_channels(self) -> int:
        return sum(len(v) for v in self.labels.values())

    def encode_labels(self, labels: dict, batch_size: int = 1) -> torch.Tensor:
        """{attribute: value name} -> (batch_size, L) concatenated one-hot vectors."""
        missing = self.labels.keys() - labels.keys()
        if missing:
            raise ValueError(f'labels: give a value for {sorted(missing)} '
                             f'(choices: { {k: self.labels[k] for k in sorted(missing)} })')
        parts = []
        for attribute, values in self.labels.items():
            if labels[attribute] not in values:
                raise ValueError(f'labels: {attribute}={labels[attribute]!r} is not one of '
                                 f'{values}')
            parts.append(torch.nn.functional.one_hot(
                torch.tensor(values.index(labels[attribute])), len(values)))
        return torch.cat(parts).float().expand(batch_size, -1).to(self.device)

    def random_labels(self, batch_size: int) -> torch.Tensor:
        """A uniformly drawn value per attribute and image (the labels G(a, l) is
        asked for when domain A has none of its own)."""
        parts = [torch.nn.functional.one_hot(torch.randint(len(v), (batch_size,)), len(v))
                 for v in self.labels.values()]
        return torch.cat(parts, dim=1).float().to(self.device)

    def augment(self, x: torch.Tensor, label_channels: int = 0) -> torch.Tensor:
        """A discriminator's input through `disc_augment`, the image channels only
        (the trailing `label_channels` are D_B's constant label maps)."""
        if self.disc_augment is None:
            return x
        if not label_channels:
            return self.disc_augment(x)
        images, maps = x[:, :-label_channels], x[:, -label_channels:]
        return torch.cat([self.disc_augment(images), maps], dim=1)

    def _judge_b(self, net, images: torch.Tensor, labels: torch.Tensor | None):
        images = self.augment(images)
        if labels is None:
            return net(images)
        return net(torch.cat([images, label_maps(labels, images)], dim=1))

    # ------------------------------------------------------------------ inference
    @torch.no_grad()
    def generate(self, source: torch.Tensor, hints: torch.Tensor | None = None,
                 labels: torch.Tensor | dict | None = None, direction: str | None = None
                 ) -> torch.Tensor:
        """Translate a [-1, 1] batch A -> B (with `labels` when the model has them:
        a dict of value names or (N, L) one-hot vectors) or B -> A."""
        direction = direction or self.direction
        if direction not in DIRECTIONS:
            raise ValueError(f'direction={direction!r} is not one of {DIRECTIONS}')
        if hints is not None:
            raise ValueError('CycleGAN takes no colour hints')
        net = self.generator if direction == 'AtoB' else self.generator_ba
        args = ()
        if direction == 'AtoB' and self.labels:
            if labels is None:
                example = {k: v[0] for k, v in self.labels.items()}
                raise ValueError(f'this model needs condition labels: give one value per '
                                 f'attribute, e.g. labels={example}')
            if isinstance(labels, dict):
                labels = self.encode_labels(labels, len(source))
            args = (labels.to(source),)
        elif labels is not None and direction == 'AtoB':
            raise ValueError('this model was trained without condition labels')
        return self.run_inference(net, source, *args)

    def generate_batch(self, batch: dict) -> torch.Tensor:
        # Unpaired evaluation asks for the labels of the real B images it compares
        # against, so the generated label distribution matches the real one.
        source = batch['source'].to(self.device)
        labels = batch.get('label_b') if self.direction == 'AtoB' and self.labels else None
        if labels is not None:
            labels = labels[:len(source)].to(self.device)
        return self.generate(source, labels=labels)

    # ------------------------------------------------------------------ training
    def label_regions(self, batch: dict) -> dict[str, torch.Tensor]:
        """{attribute: (N, 1, H, W) bool, True inside a's region} for every attribute in
        `label_colours`, from the batch's `<attribute>_mask_a` (-1 inside)."""
        regions = {}
        for attribute in self.label_colours:
            key = f'{attribute}_mask_a'
            if key not in batch:
                raise KeyError(f'CycleGAN: label_colour_loss, label_outside_loss, '
                               f'outside_identity_loss and cycle_skips_label_regions need '
                               f'`{key}` in the batch '
                               '(EmojiUnpairedDataset(..., with_hair_masks=True))')
            regions[attribute] = batch[key] < 0
        return regions

    def train_step(self, batch: dict, optimizers: dict, iteration: int = 0
                   ) -> dict[str, torch.Tensor]:
        real_a, real_b = batch['source'], batch['target']
        label_b = None
        if self.labels:
            label_b = batch['label_b'].float()
            label_ab = batch['label_a'].float() if 'label_a' in batch \
                else self.random_labels(len(real_a))
        g_args_ab = (label_ab,) if self.labels else ()
        g_args_b = (label_b,) if self.labels else ()
        local_on = bool(self.local_parts) and iteration >= self.local_start_iter

        # ---- generators
        discriminators = [self.discriminator_a, self.discriminator_b] + [
            getattr(self, f'discriminator_{p}') for p in self.local_parts]
        if self.label_classifier is not None:
            discriminators.append(self.label_classifier)
        for net in discriminators:
            set_requires_grad(net, False)
        # each of these four needs label_colours (checked in __init__)
        regions = self.label_regions(batch) if (
            self.label_colour_loss is not None or self.label_outside_loss is not None
            or self.cycle_skips_label_regions
            or self.outside_identity_loss is not None) else {}
        # a's pixels inside any label region (its hair): the label may change them
        in_label_regions = torch.stack(list(regions.values())).any(0) if regions else None
        fake_b = self.generator(real_a, *g_args_ab)
        fake_a = self.generator_ba(real_b)
        rec_a = self.generator_ba(fake_b)
        if self.cycle_skips_label_regions:
            # a's own pixels in its label regions: no error and no gradient there
            rec_a = torch.where(in_label_regions, real_a, rec_a)
        log = dict(
            loss_g_a=self.gan_loss(self.discriminator_a(self.augment(fake_a)), True,
                                   is_disc=False),
            loss_g_b=self.gan_loss(self._judge_b(self.discriminator_b, fake_b,
                                                 label_ab if self.labels else None),
                                   True, is_disc=False),
            loss_cycle_a=self.cycle_loss(rec_a, real_a),
            loss_cycle_b=self.cycle_loss(self.generator(fake_a, *g_args_b), real_b))
        if self.label_swap_loss is not None:
            if 'target_swap' not in batch:
                raise KeyError('CycleGAN: label_swap_loss needs `target_swap` and '
                               '`label_swap` in the batch (EmojiUnpairedDataset(..., '
                               'label_swaps=True))')
            reference = dict(reference=real_b) if self.swap_loss_takes_reference else {}
            log['loss_swap'] = self.label_swap_loss(
                self.generator(fake_a, batch['label_swap'].float()), batch['target_swap'],
                **reference)
        if self.identity_loss is not None:
            log['loss_idt_b'] = self.identity_loss(self.generator(real_b, *g_args_b), real_b)
            log['loss_idt_a'] = self.identity_loss(self.generator_ba(real_a), real_a)
        for attribute, inside in regions.items():
            if self.label_colour_loss is not None:
                log[f'loss_{attribute}_colour'] = self.label_colour_loss(
                    fake_b, inside, self.requested_colours(label_ab, attribute))
            if self.label_outside_loss is not None:
                with torch.no_grad():
                    other = self.generator(real_a,
                                           self.other_value_labels(label_ab, attribute))
                log[f'loss_{attribute}_outside'] = self.label_outside_loss(
                    fake_b, other, ~inside)
        if self.outside_identity_loss is not None:
            log['loss_idt_a_outside'] = self.outside_identity_loss(fake_b, real_a,
                                                                   ~in_label_regions)
        if self.label_classifier is not None:
            log['loss_g_cls'] = self.label_loss_weight * self.label_classifier.loss(
                self.label_classifier(fake_b), label_ab)
        if self.landmark_loss is not None:
            log['loss_landmark'] = self.landmark_loss(fake_b, batch['landmarks_a'])
        fake_patches = {}
        if local_on:
            for part, settings in self.local_parts.items():
                fake_patches[part] = self.face_part_patches(fake_b, batch['landmarks_a'], part)
                pred = getattr(self, f'discriminator_{part}')(self.augment(fake_patches[part]))
                log[f'loss_g_{part}'] = settings.get('weight', 1.0) * self.gan_loss(
                    pred, True, is_disc=False)
        optimizers['generators'].update(sum(log.values()))

        # ---- discriminators
        for net in discriminators:
            set_requires_grad(net, True)
        fake_b_in = fake_b.detach()
        if self.labels:  # pool what D_B judges: the image with its requested label
            fake_b_in = torch.cat([fake_b_in, label_maps(label_ab, fake_b_in)], dim=1)
        loss_d = dict(
            loss_d_a=self.discriminator_loss(self.discriminator_a, real_a,
                                             self.pools['a'].query(fake_a)),
            loss_d_b=self.discriminator_loss(
                self.discriminator_b,
                real_b if label_b is None else torch.cat([real_b, label_maps(label_b, real_b)],
                                                         dim=1),
                self.pools['b'].query(fake_b_in), self.label_channels))
        for part, patches in fake_patches.items():
            real = self.face_part_patches(real_b, batch['landmarks_b'], part)
            loss_d[f'loss_d_{part}'] = self.discriminator_loss(
                getattr(self, f'discriminator_{part}'), real, self.pools[part].query(patches))
        if self.label_classifier is not None:
            loss_d['loss_d_cls'] = self.label_classifier.loss(self.label_classifier(real_b),
                                                              label_b)
        optimizers['discriminators'].update(sum(loss_d.values()))
        log.update(loss_d)
        return {name: loss.detach() for name, loss in log.items()}

    def discriminator_loss(self, net, real: torch.Tensor, fake: torch.Tensor,
                           label_channels: int = 0) -> torch.Tensor:
        real, fake = (self.augment(x, label_channels) for x in (real, fake.detach()))
        return self.disc_loss_weight * (self.gan_loss(net(real), True, is_disc=True) +
                                        self.gan_loss(net(fake), False, is_disc=True))

    def face_part_patches(self, images: torch.Tensor, landmarks: torch.Tensor, part: str
                          ) -> torch.Tensor:
        """All windows of `part` (both eyes for 'eyes') stacked along the batch,
        weighted by a Gaussian heatmap when `heatmap_sigma` is set."""
        size = tuple(self.local_parts[part]['size'])
        patches = torch.cat([crop_patches(images, centre, size)
                             for centre in part_centres(landmarks, part)])
        if self.heatmap_sigma:
            patches = patches * gaussian_window(size, self.heatmap_sigma, images.device)
        return patches

