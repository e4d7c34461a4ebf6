"""Evaluate a (landmark-guided) CycleGAN on the held-out emoji faces.

    python tools/cartoon_eval.py CONFIG CHECKPOINT [CHECKPOINT ...] [--out DIR]
        [--regressor CKPT]

Reports, each with its image count:
- FID/KID (the config's test metrics) for A -> B and B -> A on the test split, and
  for a conditional model per hair label (generated with label v vs real B with v);
  for scale, A -> B's metrics of the input itself as the output and of real B faces
  from the train split as the output (the range from doing nothing to the target style);
- label accuracy: each test B face b goes B -> A -> B with every hair label v; the
  mean colour inside b's visible hair (masksB: the OpenMoji hair group minus what is
  drawn over it) is matched to the nearest label colour; correct when it is v
  (chance: 1 / number of labels). The same reading of the real B faces, drawn with
  each label, is the measure's ceiling (for the hair also read after a 1 px Gaussian
  blur: the ceiling of a generator that sharp); likewise for the skin label. The JSON also
  lists, per face, its region's size in pixels and the label each request read as;
- landmark error, normalised by the inter-ocular distance, between the input's
  landmarks and those found on G(a): by the landmark regressor R (the model's own,
  or --regressor) and by the independent emoji detector (with its detection rate);
- how far the hair label reaches: the share of pixels whose colour spans more than 0.2
  over the hair labels, on real A (what a user gets) and on F(b) (the path the label
  accuracy reads); for scale, the same over real B drawn with each hair colour (the
  hair region). The label accuracy above reads the B -> A -> B path only;
- the hair label on real A, what a user's face gets: each test A face whose Twemoji
  hair could be told apart (masksA) goes A -> B with every hair label v (skin as its
  paired real B); the mean colour inside a's hair is matched to the nearest label
  colour, correct when v. Its ceiling reads the real A face with its hair drawn in
  each label's colour (sharp and after a 1 px blur). And where the label acts: of the
  pixels it changes (the reach's rule), the share inside a's hair, against the share
  of the image the hair covers (what changes placed anywhere would give);
- what the hair costs the A -> B score: the metrics again with the pixels inside each
  test A face's hair painted its label's flat colour, on the input (a translation
  that only recolours the hair) and on G(a, l) (the model without its hair's texture).
Writes DIR/cartoon_eval.json, DIR/cartoon_eval.md and DIR/grid.png. Given several
checkpoints (one per training seed), each is evaluated into its own folder and
DIR/cartoon_eval_summary.{json,md} gives every measure as mean ± spread (the
sample standard deviation over the checkpoints).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # torch is imported lazily: --help stays fast
    import torch


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Evaluate a CycleGAN on the emoji faces.')
    p.add_argument('config', help="config file, or '-' for the one inside the checkpoint")
    p.add_argument('checkpoints', nargs='+', metavar='checkpoint',
                   help='one checkpoint, or one per training seed for mean ± spread')
    p.add_argument('--out', help='output folder (default: next to the (first) checkpoint)')
    p.add_argument('--regressor', help='LandmarkRegression checkpoint for the landmark error '
                   '(default: the regressor inside the model\'s landmark loss)')
    p.add_argument('--device', default=None)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    config = None if args.config == '-' else args.config
    if len(args.checkpoints) == 1:
        report = evaluate_cartoon(config, args.checkpoints[0], args.out, args.regressor,
                                  args.device)
        print(report['table'])
        print(f'Wrote {report["out"]}/cartoon_eval.json, cartoon_eval.md and grid.png')
        return 0
    from sketchgen.checkpoint import weights_path
    out = Path(args.out) if args.out else \
        weights_path(args.checkpoints[0]).parent / 'cartoon_eval'
    reports = [evaluate_cartoon(config, checkpoint, out / f'run{i}', args.regressor,
                                args.device)
               for i, checkpoint in enumerate(args.checkpoints)]
    summary = summarise(reports)
    table = format_summary(summary)
    (out / 'cartoon_eval_summary.json').write_text(json.dumps(
        dict(checkpoints=[str(c) for c in args.checkpoints], measures=summary), indent=2))
    (out / 'cartoon_eval_summary.md').write_text(
        f'{len(reports)} checkpoints: ' + ', '.join(f'`{c}`' for c in args.checkpoints) +
        f'\n\nmean ± sample std over the checkpoints\n\n{table}\n')
    print(table)
    print(f'Wrote {out}/cartoon_eval_summary.json and .md, and run0.. folders')
    return 0


# a pixel counts as changed by a label when some channel spans more than this ([0, 1] units)
REACH_THRESHOLD = 0.2
# hair_label_reach's keys and what each reads
REACH_ROWS = (('real_a', 'real A (the A -> B use)'),
              ('cycled_b', 'F(b) (the path the label accuracy reads)'),
              ('real_b', 'real B drawn with each colour (the hair region)'))


# fid_hair_painted's keys and what each scores
HAIR_PAINTED_ROWS = {'input': "the input with its hair painted the label's colour",
                     'generated': "the output with its hair painted the label's colour"}


def measures(results: dict) -> dict[str, float]:
    """The scalar measures of one evaluation, by name."""
    flat = {}
    for direction, scores in results['directions'].items():
        flat.update({f'{name} {direction}': v for name, v in scores.items()
                     if name != 'num_samples'})
    for reference, scores in results.get('reference_AtoB', {}).items():
        flat.update({f'{name} AtoB, reference {reference}': v for name, v in scores.items()
                     if name != 'num_samples'})
    for value, scores in results.get('per_label', {}).items():
        flat.update({f'{name} AtoB, hair={value}': v for name, v in scores.items()
                     if not name.startswith('num_')})
    for what, scores in results.get('fid_hair_painted', {}).items():
        flat.update({f'{name} AtoB, {HAIR_PAINTED_ROWS[what]}': v
                     for name, v in scores.items() if name != 'num_samples'})
    if 'label_accuracy' in results:
        flat['hair label accuracy'] = results['label_accuracy']['overall']
        flat['hair label read on real B'] = results['label_accuracy']['real']
        if 'real_blurred' in results['label_accuracy']:
            flat['hair label read on real B blurred by 1 px'] = \
                results['label_accuracy']['real_blurred']
    reach = results.get('hair_label_reach')
    if reach:
        flat.update({f'pixels the hair label changes, {what}': reach[key]
                     for key, what in REACH_ROWS})
    on_a = results.get('hair_label_on_real_a')
    if on_a and on_a.get('num_faces'):
        flat['hair label accuracy on real A'] = on_a['overall']
        flat['hair label read on real A recoloured'] = on_a['real']
        flat['hair label read on real A recoloured, blurred by 1 px'] = on_a['real_blurred']
        if on_a['changes_inside_hair'] is not None:
            flat["share of the hair label's changes inside A's hair"] = \
                on_a['changes_inside_hair']
        flat["share of A's hair the hair label changes"] = on_a['hair_changed']
    if 'skin_label_accuracy' in results:
        flat['skin label accuracy'] = results['skin_label_accuracy']['overall']
        flat['skin label read on real B'] = results['skin_label_accuracy']['real']
    lm = results.get('landmark_error')
    if lm:
        flat['landmark NME, regressor'] = lm['regressor_nme']
        if lm['detector_nme'] is not None:
            flat['landmark NME, detector'] = lm['detector_nme']
        flat['detector found (faces)'] = lm['detector_found']
    return flat


def summarise(reports: list[dict]) -> dict[str, dict]:
    """{measure: {mean, spread, values}} over reports (measures all of them have)."""
    import numpy as np
    flats = [measures(r) for r in reports]
    names = [n for n in flats[0] if all(n in f for f in flats)]
    return {n: dict(mean=float(np.mean([f[n] for f in flats])),
                    spread=float(np.std([f[n] for f in flats], ddof=1)),
                    values=[f[n] for f in flats]) for n in names}


def format_summary(summary: dict) -> str:
    lines = ['| measure | mean ± spread | runs |', '| --- | --- | --- |']
    lines += [f'| {name} | {s["mean"]:.4g} ± {s["spread"]:.2g} | {len(s["values"])} |'
              for name, s in summary.items()]
    return '\n'.join(lines)


def landmark_error_regressor(model, regressor: str | None = None):
    """The landmark regressor R that reads G(a)'s landmarks: the `regressor` checkpoint
    (zoo name, folder or file) if given, else the one inside the model's landmark loss."""
    from sketchgen.models.landmark_regressor import LandmarkRegressor
    from sketchgen.models.losses.landmark_loss import load_regressor_weights
    from sketchgen.registry import MODELS
    loss = getattr(model, 'landmark_loss', None)
    if regressor:
        reg_cfg = (model.cfg.model.get('landmark_loss') or {}).get('regressor') or \
            dict(type='LandmarkRegressor', input_size=model.image_size, width=0.5)
        net = MODELS.build(dict(reg_cfg))
        load_regressor_weights(net, regressor)
    elif loss is not None:
        # A generator-only file (the zoo's) holds no R: load it from the loss's
        # checkpoint as training does, not read landmarks with an untrained R.
        loss.ensure_weights()
        net = loss.regressor
    else:
        raise SystemExit('landmark error: this model has no landmark loss; pass '
                         '--regressor CKPT (a LandmarkRegression checkpoint)')
    if not isinstance(net, LandmarkRegressor):
        raise SystemExit(f'--regressor: expected a LandmarkRegressor, got {type(net)}')
    return net


def evaluate_cartoon(config, checkpoint, out=None, regressor=None, device=None) -> dict:
    import numpy as np
    import torch
    from PIL import Image
    from torchvision.utils import save_image

    from sketchgen.apis import init_model
    from sketchgen.data.emoji import HAIR_COLOURS, detect_emoji_landmarks
    from sketchgen.checkpoint import weights_path
    from sketchgen.data.loader import build_dataloader, build_dataset, collate
    from sketchgen.evaluation import build_metrics, evaluate
    from sketchgen.models.face_landmarks import interocular_error

    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = init_model(config, checkpoint, device=device)
    cfg = model.cfg
    out = Path(out) if out else weights_path(checkpoint).parent / 'cartoon_eval'
    out.mkdir(parents=True, exist_ok=True)
    metric_cfgs = cfg.get('test_evaluator') or [dict(type='FID-EffLite0')]
    results: dict = {'directions': {}}

    def loader(**overrides):
        return build_dataloader(cfg, 'test', **overrides)

    for direction in ('AtoB', 'BtoA'):
        model.direction = direction
        results['directions'][direction] = evaluate(model, loader(direction=direction),
                                                    build_metrics(metric_cfgs))
    model.direction = 'AtoB'
    results['reference_AtoB'] = fid_reference_points(loader(direction='AtoB'), metric_cfgs)

    hair_values = model.labels.get('hair', ())
    dataset = build_dataset(cfg, 'test', direction='AtoB')
    if hair_values:
        # Per hair label: every test A face with label v (skin: as the paired real B)
        # against the real test B faces drawn with v.
        results['per_label'] = {}
        real_b = dataset.files['B']
        attributes = list(model.labels)
        offset = sum(len(model.labels[a]) for a in attributes[:attributes.index('hair')])
        for value in hair_values:
            metrics = build_metrics(metric_cfgs)
            for m in metrics:
                m.reset()
            reals = [p for p in real_b if p.stem.endswith(f'_{value}')]
            for start in range(0, len(dataset), 32):
                batch = collate([dataset[i] for i in range(start, min(start + 32,
                                                                       len(dataset)))])
                labels = with_hair_label(batch['label_b'], offset, len(hair_values),
                                         hair_values.index(value))
                fake = model.generate(batch['source'].to(device), labels=labels)
                # generated image i is scored against real image i (mod the real count)
                chunk = [reals[i % len(reals)] for i in range(start, start + len(fake))]
                real = torch.stack([image_tensor(p) for p in chunk])
                for m in metrics:
                    m.process((fake.float().cpu().clamp(-1, 1) + 1) / 2, real)
            scores = {}
            for m in metrics:
                scores.update(m.compute())
            results['per_label'][value] = dict(scores, num_generated=len(dataset),
                                               num_real=len(reals))

        # Label accuracy: B -> A -> B with every hair label, colour inside b's hair
        # mask; likewise every skin label inside b's skin mask when the model has one.
        masks_dir = dataset.root / 'masksB'
        faces = [p for p in dataset.files['B'] if p.stem.endswith(f'_{hair_values[0]}')]
        keys = [p.stem.rsplit('_', 1)[0] for p in faces]
        hair_palette = {v: HAIR_COLOURS[v] for v in hair_values}
        skin_values = model.labels.get('skin', ())
        skin_masks, skin_palette = skin_masks_and_palette(keys, model.image_size) \
            if skin_values else ({}, {})
        correct = {'hair': {v: 0 for v in hair_values},
                   'skin': {v: 0 for v in skin_values if v in skin_palette}}
        counted = {'hair': 0, 'skin': 0}
        # per face: its region's size and the label read for each requested one
        per_face: dict[str, dict] = {'hair': {}, 'skin': {}}
        real_correct = {'hair': 0, 'skin': 0}
        real_blurred_correct = 0

        def load(path, blur: float = 0):   # in [-1, 1], as the model's images
            return image_tensor(path, blur) * 2 - 1

        for path, key in zip(faces, keys):
            mask = torch.from_numpy(np.asarray(Image.open(masks_dir / f'{key}.png')) > 127)
            b = load(path)[None].to(device)
            entry = dataset.label_tables['B'][path.stem]
            if mask.any():   # the ceiling: the real face drawn with each hair label ...
                for v in hair_values:
                    drawn = path.with_name(f'{key}_{v}.png')
                    real_correct['hair'] += read_colour_label(load(drawn), mask,
                                                              hair_palette) == v
                    # ... and blurred by 1 px: thin hair under a hat's brim reads as the
                    # outline's black once blurred, a ceiling for a less sharp G
                    real_blurred_correct += read_colour_label(load(drawn, blur=1.0), mask,
                                                              hair_palette) == v
            if key in skin_masks and skin_masks[key].any():
                real_correct['skin'] += read_colour_label(b[0].cpu(), skin_masks[key],
                                                          skin_palette) == entry['skin']
            a = model.generate(b, direction='BtoA')
            for attribute, region, palette in (('hair', mask, hair_palette),
                                               ('skin', skin_masks.get(key), skin_palette)):
                if region is None or region.sum() == 0 or not correct[attribute]:
                    continue
                counted[attribute] += 1
                read = {}
                for value in correct[attribute]:
                    y = model.generate(a, labels=dict(entry, **{attribute: value}))[0].cpu()
                    read[value] = read_colour_label(y, region, palette)
                    correct[attribute][value] += read[value] == value
                per_face[attribute][key] = dict(region_pixels=int(region.sum()), read=read)
        results['label_accuracy'] = dict(
            label_accuracy(correct['hair'], counted['hair']),
            real=real_correct['hair'] / (counted['hair'] * len(hair_values)),
            real_blurred=real_blurred_correct / (counted['hair'] * len(hair_values)),
            per_face=per_face['hair'])
        if correct['skin']:
            results['skin_label_accuracy'] = dict(
                label_accuracy(correct['skin'], counted['skin']),
                real=real_correct['skin'] / counted['skin'], per_face=per_face['skin'])
        results['hair_label_reach'] = hair_label_reach(model, dataset, faces, keys,
                                                       hair_values, offset, device)
        if (dataset.root / 'masksA').is_dir():
            results['hair_label_on_real_a'] = hair_label_on_real_a(
                model, dataset, hair_values, offset, hair_palette, device)
            results['fid_hair_painted'] = fid_hair_painted(
                model, dataset, metric_cfgs, hair_values, offset, hair_palette, device)

    # Landmark error on G(a): by the regressor R and by the emoji detector.
    if 'landmarks_a' in dataset[0]:
        net = landmark_error_regressor(model, regressor)
        net = net.to(device).eval()
        errors_r, errors_det, grids = [], [], []
        floor = {'A': [], 'B': []}   # R on real images: the floor of its measure
        for start in range(0, len(dataset), 32):
            batch = collate([dataset[i] for i in range(start, min(start + 32, len(dataset)))])
            source = batch['source'].to(device)
            fake = model.generate_batch(dict(batch, source=source))
            true = batch['landmarks_a'].to(device)
            with torch.no_grad():
                pred = net(fake.float()) * fake.new_tensor([fake.shape[-1], fake.shape[-2]])
            errors_r += interocular_error(pred.float(), true).tolist()
            for domain, images, points in (('A', 'source', 'landmarks_a'),
                                           ('B', 'target', 'landmarks_b')):
                if points in batch:
                    real = batch[images].to(device)
                    with torch.no_grad():
                        found = net(real) * real.new_tensor([real.shape[-1], real.shape[-2]])
                    floor[domain] += interocular_error(found.float(),
                                                       batch[points].to(device)).tolist()
            for image, points in zip(fake, true):
                array = ((image.float().cpu().clamp(-1, 1) + 1) * 127.5).round().byte()
                big = Image.fromarray(array.permute(1, 2, 0).numpy()).resize((256, 256),
                                                                             Image.BICUBIC)
                found = next((lm for lm in (detect_emoji_landmarks(big, t)
                                            for t in (0.35, 0.25, 0.2)) if lm is not None),
                             None)
                if found is not None:
                    found = torch.from_numpy(found * image.shape[-1] / 256)
                    errors_det.append(float(interocular_error(found[None],
                                                              points.cpu()[None])[0]))
            if start == 0:
                grids.append(torch.cat([batch['source'][:8], fake[:8].float().cpu()]))
        results['landmark_error'] = dict(
            regressor_nme=float(np.mean(errors_r)), num_images=len(errors_r),
            detector_nme=float(np.mean(errors_det)) if errors_det else None,
            detector_found=len(errors_det),
            regressor_nme_real={d: float(np.mean(e)) for d, e in floor.items() if e},
            num_real={d: len(e) for d, e in floor.items() if e})
        save_image((torch.cat(grids).clamp(-1, 1) + 1) / 2, out / 'grid.png', nrow=8,
                   padding=2, pad_value=1.0)

    if hair_values:  # label grid: rows = test A faces, columns = hair labels
        picks = [dataset[i] for i in range(0, len(dataset), max(1, len(dataset) // 6))][:6]
        rows = []
        for sample in picks:
            src = sample['source'][None].to(device)
            entry = {k: v[0] for k, v in model.labels.items()}
            rows += [sample['source']] + [
                model.generate(src, labels=dict(entry, hair=v))[0].float().cpu()
                for v in hair_values]
        save_image((torch.stack(rows).clamp(-1, 1) + 1) / 2, out / 'label_grid.png',
                   nrow=len(hair_values) + 1, padding=2, pad_value=1.0)

    report = dict(checkpoint=str(checkpoint), config=config, out=str(out), **results)
    report['table'] = format_report(results)
    (out / 'cartoon_eval.json').write_text(json.dumps(report, indent=2))
    (out / 'cartoon_eval.md').write_text(f'`{checkpoint}`\n\n{report["table"]}\n')
    return report


def fid_reference_points(loader, metric_cfgs) -> dict:
    """The A -> B metrics of two translations that need no model, against the same test
    targets: 'input' returns the A image itself (a translation that does nothing), 'real'
    returns real B faces of the train split (other faces, drawn in the target style:
    about the best score any translation can reach with this many images)."""
    import numpy as np
    import torch

    from sketchgen.evaluation import build_metrics

    batches = list(loader)
    count = sum(len(b['target']) for b in batches)
    train_b = sorted((loader.dataset.root / 'trainB').glob('*.png'))
    picks = [train_b[i] for i in np.linspace(0, len(train_b) - 1, count).round().astype(int)]
    scores = {}
    for name in ('input', 'real'):
        metrics = build_metrics(metric_cfgs)
        for m in metrics:
            m.reset()
        start = 0
        for batch in batches:
            real = (batch['target'].float() + 1) / 2
            if name == 'input':
                pred = (batch['source'].float() + 1) / 2
            else:
                pred = torch.stack([image_tensor(path) for path in picks[start:start + len(real)]])
            start += len(real)
            for m in metrics:
                m.process(pred, real)
        scores[name] = {k: v for m in metrics for k, v in m.compute().items()}
        scores[name]['num_samples'] = count
    return scores


def image_tensor(image, blur: float = 0) -> torch.Tensor:
    """An image file (or a PIL image) as a (3, H, W) float tensor in [0, 1], optionally
    Gaussian-blurred by `blur` px first."""
    from PIL import Image, ImageFilter
    from torchvision.transforms.functional import to_tensor

    from sketchgen.data.io import load_image
    image = image.convert('RGB') if isinstance(image, Image.Image) else load_image(image)
    return to_tensor(image.filter(ImageFilter.GaussianBlur(blur)) if blur else image)


def read_colour_label(image: torch.Tensor, mask: torch.Tensor, palette: dict) -> str:
    """The label whose palette colour ('#rrggbb') is nearest to the mean colour of a
    [-1, 1] (3, H, W) image inside the (H, W) boolean mask."""
    import torch
    from PIL import ImageColor

    values = list(palette)
    colours = torch.tensor([[c / 255 for c in ImageColor.getrgb(palette[v])[:3]]
                            for v in values])
    colour = ((image.float().clamp(-1, 1) + 1) / 2)[:, mask].mean(1)
    return values[int(((colours - colour) ** 2).sum(1).argmin())]


def with_hair_label(labels: torch.Tensor, offset: int, count: int, index: int) -> torch.Tensor:
    """A copy of (N, L) concatenated one-hot labels with the hair attribute (`count`
    values from column `offset`) set to its value `index`."""
    labels = labels.clone()
    labels[:, offset:offset + count] = 0
    labels[:, offset + index] = 1
    return labels


def label_span_share(outputs: torch.Tensor, threshold: float = REACH_THRESHOLD) -> torch.Tensor:
    """(labels, N, C, H, W) outputs in [-1, 1], one per requested label -> per image, the
    share of pixels where some channel spans more than `threshold` (in [0, 1] units)
    over the labels."""
    span = (outputs.amax(0) - outputs.amin(0)) / 2
    return (span.amax(1) > threshold).float().mean((1, 2))


def hair_label_reach(model, dataset, faces, keys, hair_values, offset: int, device) -> dict:
    """`label_span_share` over the hair labels (skin as the paired real B) for every
    test A face, for F(b) of its paired B face, and over the real B faces drawn with each
    hair colour."""
    import torch

    from sketchgen.data.loader import collate

    def over_labels(source, labels):
        return label_span_share(torch.stack([
            model.generate(source, labels=with_hair_label(labels, offset, len(hair_values),
                                                          index)).float().cpu()
            for index in range(len(hair_values))]))

    real_a, cycled_b = [], []
    for start in range(0, len(dataset), 32):
        batch = collate([dataset[i] for i in range(start, min(start + 32, len(dataset)))])
        labels = batch['label_b'].to(device)
        real_a.append(over_labels(batch['source'].to(device), labels))
        cycled = model.generate(batch['target'].to(device), direction='BtoA')
        cycled_b.append(over_labels(cycled, labels))
    drawn = [label_span_share(torch.stack([
        image_tensor(path.with_name(f'{key}_{v}.png')) * 2 - 1 for v in hair_values])[:, None])
        for path, key in zip(faces, keys)]
    return dict(real_a=float(torch.cat(real_a).mean()), cycled_b=float(torch.cat(cycled_b).mean()),
                real_b=float(torch.cat(drawn).mean()), num_a=len(dataset), num_b=len(faces),
                num_labels=len(hair_values), threshold=REACH_THRESHOLD)


def hair_label_on_real_a(model, dataset, hair_values, offset: int, palette: dict,
                         device) -> dict:
    """The hair label read inside each test A face's Twemoji hair mask (masksA) after
    A -> B with every hair label, its ceiling on the real A face drawn with each hair
    colour, and where the label's changes fall (see the module docstring)."""
    import torch

    from sketchgen.data.emoji import emoji_key, twemoji_hair_mask_svg, twemoji_svg_dir
    from sketchgen.data.loader import collate
    from sketchgen.data.openmoji import render_svg

    masks = hair_masks_a(dataset)
    names = [n for n, mask in masks.items() if mask.any()]
    if not names:
        return dict(num_faces=0)
    svg_files = {emoji_key(p.stem): p for p in twemoji_svg_dir().glob('*.svg')}
    svgs = {n: svg_files[n].read_text(encoding='utf-8') for n in names}
    shapes = json.loads((dataset.root / 'hair_shapes_A.json').read_text())
    size = masks[names[0]].shape[-1]
    correct = {v: 0 for v in hair_values}
    per_face: dict[str, dict] = {}   # face -> {requested value: value read}
    ceiling, ceiling_blurred = 0, 0
    changed_inside = changed = hair_pixels = 0
    index = {p.stem: i for i, p in enumerate(dataset.files['A'])}
    for start in range(0, len(names), 32):
        chunk = names[start:start + 32]
        batch = collate([dataset[index[n]] for n in chunk])
        source, labels = batch['source'].to(device), batch['label_b'].to(device)
        outputs = torch.stack([
            model.generate(source, labels=with_hair_label(labels, offset, len(hair_values),
                                                          i)).float().cpu()
            for i in range(len(hair_values))])
        span = ((outputs.amax(0) - outputs.amin(0)) / 2).amax(1) > REACH_THRESHOLD
        for j, name in enumerate(chunk):
            mask = masks[name]
            per_face[name] = {}
            for i, value in enumerate(hair_values):
                per_face[name][value] = read_colour_label(outputs[i, j], mask, palette)
                correct[value] += per_face[name][value] == value
                drawn = render_svg(twemoji_hair_mask_svg(svgs[name], shapes[name],
                                                         colour=palette[value]), size)
                for blur in (0, 1.0):
                    image = image_tensor(drawn, blur) * 2 - 1
                    hit = read_colour_label(image, mask, palette) == value
                    if blur:
                        ceiling_blurred += hit
                    else:
                        ceiling += hit
            changed_inside += int((span[j] & mask).sum())
            changed += int(span[j].sum())
            hair_pixels += int(mask.sum())
    reads = len(names) * len(hair_values)
    return dict(label_accuracy(correct, len(names)), real=ceiling / reads,
                real_blurred=ceiling_blurred / reads,
                changes_inside_hair=changed_inside / changed if changed else None,
                hair_share_of_image=hair_pixels / (len(names) * size * size),
                hair_changed=changed_inside / hair_pixels, num_a=len(dataset),
                per_face=per_face)


def hair_masks_a(dataset) -> dict[str, torch.Tensor]:
    """{A file stem: (H, W) bool mask of its Twemoji hair (masksA)}, in the dataset's
    A order (empty where no hair could be told apart, e.g. under a hat)."""
    import numpy as np
    import torch
    from PIL import Image
    return {p.stem: torch.from_numpy(np.asarray(Image.open(dataset.root / 'masksA' /
                                                           f'{p.stem}.png')) > 127)
            for p in dataset.files['A']}


def paint_hair(images: torch.Tensor, hair: torch.Tensor, labels: torch.Tensor,
               offset: int, colours: torch.Tensor) -> torch.Tensor:
    """(N, 3, H, W) [-1, 1] images with the pixels of the (N, 1, H, W) bool `hair`
    masks set to the colour of each image's hair label: (N, L) one-hot labels whose
    hair values start at column `offset`; `colours` (values, 3) in [-1, 1]."""
    import torch
    colour = colours[labels[:, offset:offset + len(colours)].argmax(1)]
    return torch.where(hair, colour[:, :, None, None].to(images).expand_as(images), images)


def fid_hair_painted(model, dataset, metric_cfgs, hair_values, offset: int, palette: dict,
                     device) -> dict:
    """A -> B metrics (hair labels of the paired real B, as the main A -> B score) with
    the pixels of each test A face's hair (masksA) painted its label's colour: 'input'
    paints the input face (a translation that recolours the hair and does nothing
    else), 'generated' paints G(a, l) (the model without its hair's texture). Their
    distance to the unpainted scores says what the hair costs the score."""
    import torch
    from PIL import ImageColor

    from sketchgen.data.loader import collate
    from sketchgen.evaluation import build_metrics

    colours = torch.tensor([[c / 127.5 - 1 for c in ImageColor.getrgb(palette[v])[:3]]
                            for v in hair_values])
    masks = list(hair_masks_a(dataset).values())
    metrics = {name: build_metrics(metric_cfgs) for name in ('input', 'generated')}
    for m in (m for group in metrics.values() for m in group):
        m.reset()
    for start in range(0, len(dataset), 32):
        chunk = range(start, min(start + 32, len(dataset)))
        batch = collate([dataset[i] for i in chunk])
        source, labels = batch['source'].float(), batch['label_b']
        generated = model.generate(source.to(device), labels=labels.to(device))
        hair = torch.stack([masks[i] for i in chunk])[:, None]
        real = (batch['target'].float() + 1) / 2
        for name, images in (('input', source), ('generated', generated.float().cpu())):
            painted = paint_hair(images.clamp(-1, 1), hair, labels, offset, colours)
            for m in metrics[name]:
                m.process((painted + 1) / 2, real)
    return {name: dict({k: v for m in group for k, v in m.compute().items()},
                       num_samples=len(dataset)) for name, group in metrics.items()}


def label_accuracy(correct: dict, num_faces: int) -> dict:
    return dict(overall=sum(correct.values()) / (num_faces * len(correct)),
                per_label={v: c / num_faces for v, c in correct.items()},
                num_faces=num_faces, chance=1 / len(correct))


def skin_masks_and_palette(keys, size: int) -> tuple[dict, dict]:
    """({face key: (size, size) bool mask of its visible skin}, {skin label: '#rrggbb'}).

    The mask is the OpenMoji `skin` group minus what is drawn over it (hair, line
    art); the palette takes, per skin label, the skin fill most used by these faces."""
    from collections import Counter

    import numpy as np
    import torch

    from sketchgen.data.emoji import (group_fills, openmoji_files, skin_tone,
                                      visible_group_mask_svg)
    from sketchgen.data.openmoji import render_svg

    files = openmoji_files()
    masks, fills = {}, {}
    for key in keys:
        text = files[key].read_text(encoding='utf-8')
        try:
            skin = render_svg(visible_group_mask_svg(text, 'skin'), size).convert('L')
        except ValueError:   # a face without a skin group: no skin check for it
            continue
        masks[key] = torch.from_numpy(np.asarray(skin) < 128)
        fills.setdefault(skin_tone(key), Counter()).update(group_fills(text, 'skin')[:1])
    return masks, {tone: count.most_common(1)[0][0] for tone, count in fills.items() if count}


def format_report(results: dict) -> str:
    lines = ['| measure | value | images |', '| --- | --- | --- |']
    for direction, scores in results['directions'].items():
        for name, value in scores.items():
            if name != 'num_samples':
                lines.append(f'| {name} {direction} | {value:.4g} | {scores["num_samples"]} |')
    for reference, what in (('input', 'the input itself as the output'),
                            ('real', 'real B of the train split as the output')):
        scores = results.get('reference_AtoB', {}).get(reference, {})
        for name, value in scores.items():
            if name != 'num_samples':
                lines.append(f'| {name} AtoB, {what} | {value:.4g} | '
                             f'{scores["num_samples"]} |')
    for what, scores in results.get('fid_hair_painted', {}).items():
        for name, value in scores.items():
            if name != 'num_samples':
                lines.append(f'| {name} AtoB, {HAIR_PAINTED_ROWS[what]} | {value:.4g} | '
                             f'{scores["num_samples"]} |')
    for value, scores in results.get('per_label', {}).items():
        for name, v in scores.items():
            if not name.startswith('num_'):
                lines.append(f'| {name} AtoB, hair={value} | {v:.4g} | '
                             f'{scores["num_generated"]} vs {scores["num_real"]} |')
    for attribute in ('hair', 'skin'):
        acc = results.get('label_accuracy' if attribute == 'hair' else 'skin_label_accuracy')
        if acc:
            lines.append(f'| {attribute} label accuracy (chance {acc["chance"]:.2f}) | '
                         f'{acc["overall"]:.3f} | {acc["num_faces"]} faces x '
                         f'{len(acc["per_label"])} labels |')
            if 'real' in acc:
                lines.append(f'| {attribute} label read on real B (the ceiling) | '
                             f'{acc["real"]:.3f} | {acc["num_faces"]} faces |')
            if 'real_blurred' in acc:
                lines.append(f'| {attribute} label read on real B blurred by 1 px | '
                             f'{acc["real_blurred"]:.3f} | {acc["num_faces"]} faces |')
    reach = results.get('hair_label_reach')
    if reach:
        for key, what in REACH_ROWS:
            count = reach['num_b'] if key == 'real_b' else reach['num_a']
            lines.append(f'| pixels the hair label changes, {what} | {reach[key]:.4f} | '
                         f'{count} faces x {reach["num_labels"]} labels |')
    on_a = results.get('hair_label_on_real_a')
    if on_a and on_a.get('num_faces'):
        faces = f'{on_a["num_faces"]} of {on_a["num_a"]} A faces'
        lines += [
            f'| hair label accuracy on real A (chance {on_a["chance"]:.2f}) | '
            f'{on_a["overall"]:.3f} | {faces} x {len(on_a["per_label"])} labels |',
            f'| hair label read on real A drawn with each colour (the ceiling) | '
            f'{on_a["real"]:.3f} | {faces} |',
            f'| the same blurred by 1 px | {on_a["real_blurred"]:.3f} | {faces} |']
        if on_a['changes_inside_hair'] is not None:
            lines.append(f"| share of the hair label's changes inside A's hair (the hair "
                         f"covers {on_a['hair_share_of_image']:.3f} of the image) | "
                         f"{on_a['changes_inside_hair']:.3f} | {faces} |")
        lines.append(f"| share of A's hair the hair label changes | "
                     f"{on_a['hair_changed']:.3f} | {faces} |")
    if 'landmark_error' in results:
        lm = results['landmark_error']
        lines.append(f'| landmark NME, regressor | {lm["regressor_nme"]:.4f} | '
                     f'{lm["num_images"]} |')
        for domain, nme in lm.get('regressor_nme_real', {}).items():
            lines.append(f'| landmark NME, regressor on real {domain} (its floor) | '
                         f'{nme:.4f} | {lm["num_real"][domain]} |')
        if lm['detector_nme'] is not None:
            lines.append(f'| landmark NME, detector | {lm["detector_nme"]:.4f} | '
                         f'{lm["detector_found"]} of {lm["num_images"]} found |')
    return '\n'.join(lines)


if __name__ == '__main__':
    from sketchgen.tools import run
    sys.exit(run('cartoon_eval'))
