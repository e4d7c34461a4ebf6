"""One door for every task: a task name, a model (zoo name, checkpoint path, or an
OpenCV method for inpainting), and images in, images out.

    from sketchgen.apis import Inferencer
    clean = Inferencer('simplify')(Image.open('rough.png'))              # built-in model
    clean, svg = Inferencer('simplify')(Image.open('rough.png'), svg=True)
    filled = Inferencer('inpaint', model='telea')(image, mask=mask)
    coloured = Inferencer('colourise', model='work_dirs/.../iter_002000')(sketch, hints=rgba)
    Inferencer('colourise', model=CKPT).run_folder('sketches/', 'coloured/')
    live = Inferencer('colourise', model=CKPT, preview_model=SMALL)
    live(sketch, hints=rgba, preview=True)            # the small, fast model answers

Tasks and their options:
- colourise: hints (RGBA image: opaque pixels are colour hints), reference (a colour
  image whose style a SPADE model with an encoder takes), seed;
- simplify: scale (strength: 1, 0.5, 0.25), svg=True also returns the traced SVG text;
- translate: direction ('AtoB'/'BtoA', CycleGAN), labels (dict, the cartoon model);
- cartoonise: translate with the landmark cartoon model's labels; photo=True finds
  the face in a real photo (MTCNN) and aligns it onto the config's `face_template`;
- inpaint: mask (white inside the region) or roi ('ellipse', ...), seed, controls
  and discrete (RoI-GAN's codes).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from sketchgen.apis.inference import init_model

TASKS = ('colourise', 'simplify', 'translate', 'cartoonise', 'inpaint')
# Built-in models, shipped in the package: every task works offline.
DEFAULT_MODELS = {'colourise': 'autopainter-l1w100-ganw0.1-hints-spread_unet-ngf16_openmoji-128px',
                  'simplify': 'sketch_simplification_w0.25_openmoji-128px',
                  'translate': 'cyclegan_resnet-6blocks-ngf32_emoji-64px',
                  'cartoonise': 'cyclegan-landmark-label-swap-focus-hair-skin-hair-colour-'
                                'no-hair-cycle-outside-identity-colour-w30_resnet-6blocks-'
                                'ngf32_emoji-faces-64px',
                  'inpaint': 'telea'}
OPENCV_METHODS = ('telea', 'navier_stokes')
ROI_SAMPLERS = {'ellipse': 'EllipseRoISampler', 'rectangle': 'RectangleRoISampler',
                'mixture': 'GaussianMixtureRoISampler', 'brush': 'FreeFormRoISampler'}
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff')


class Inferencer:
    """Args:
        task: one of TASKS.
        model: a zoo name (model_zoo.md), a checkpoint folder / .safetensors / .onnx
            path, or for inpainting 'telea' / 'navier_stokes'; None: the task's
            built-in model (DEFAULT_MODELS).
        device, trust_imports, backend: as `init_model` (backend: the runtime of an
            .onnx model, 'onnxruntime' or 'openvino').
        preview_model: a small, fast model of the same task (any of the forms `model`
            takes) that answers calls with `preview=True`, e.g. a live preview while a
            user paints hints; the full model answers the others.
    """

    def __init__(self, task: str, model: str | Path | None = None, device: str = 'cpu',
                 trust_imports: bool = False, preview_model: str | Path | None = None,
                 backend: str = 'onnxruntime'):
        if task not in TASKS:
            raise ValueError(f'task {task!r} is not one of {TASKS}')
        self.task = task
        self.model_name = str(model or DEFAULT_MODELS[task])
        if task == 'inpaint' and self.model_name in OPENCV_METHODS:
            from sketchgen.registry import MODELS
            self.model = MODELS.build(dict(type='OpenCVInpainting', method=self.model_name))
        else:
            self.model = init_model(self.model_name, device=device, trust_imports=trust_imports,
                                    backend=backend)
        wanted = {'simplify': 'simplify', 'inpaint': 'inpaint'}.get(task, 'infer')
        if not hasattr(self.model, wanted) or (task != 'inpaint' and hasattr(self.model,
                                                                            'inpaint')):
            raise ValueError(f'{self.model_name}: a {type(self.model).__name__} model does '
                             f'not {task}')
        self.preview = (Inferencer(task, preview_model, device, trust_imports,
                                   backend=backend if str(preview_model).endswith('.onnx')
                                   else 'onnxruntime')
                        if preview_model else None)

    @property
    def controls(self) -> int:
        """Number of slider codes of an inpainting model (0 for the others)."""
        generator = getattr(self.model, 'generator', None)
        return getattr(generator, 'continuous_codes', 0) if self.task == 'inpaint' else 0

    def __call__(self, image: Image.Image | str | Path, preview: bool = False, **options):
        """Run the task on one image (PIL or a path); see the module docstring for the
        options. Returns a PIL image (and the SVG text for simplify with svg=True).
        `preview=True` runs the `preview_model` instead."""
        if preview:
            if self.preview is None:
                raise ValueError(f'{self.model_name}: preview=True needs a preview_model= (a '
                                 f'small, fast {self.task} model) when the Inferencer is made')
            return self.preview(image, **options)
        from sketchgen.data.io import load_image
        if not isinstance(image, Image.Image):
            image = load_image(image)
        return getattr(self, f'_{self.task}')(image, **options)

    def run_folder(self, folder: str | Path, out_dir: str | Path, overwrite: bool = False,
                   **options) -> list[Path]:
        """Every image of `folder` (by name order) to `out_dir` as PNG, with a progress
        bar; an existing output is refused unless `overwrite`."""
        from tqdm import tqdm
        folder, out_dir = Path(folder), Path(out_dir)
        images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise ValueError(f'{folder}: no images ({", ".join(IMAGE_SUFFIXES)})')
        outputs = [out_dir / f'{p.stem}.png' for p in images]
        clash = [str(p) for p in outputs if p.exists()]
        if clash and not overwrite:
            raise FileExistsError(f'{clash[0]} exists ({len(clash)} outputs would be '
                                  'replaced); pass overwrite=True (--overwrite)')
        out_dir.mkdir(parents=True, exist_ok=True)
        for source, target in zip(tqdm(images, desc=self.task, unit='image'), outputs):
            result = self(source, **options)
            if isinstance(result, tuple):
                result, svg = result
                target.with_suffix('.svg').write_text(svg)
            result.save(target)
        return outputs

    # ------------------------------------------------------------------ the tasks
    def _colourise(self, image, hints=None, reference=None, seed=None):
        extra = {}
        if hints is not None:
            extra['hints'] = hints if isinstance(hints, Image.Image) else Image.open(hints)
        if reference is not None or seed is not None:
            if not hasattr(self.model, 'sample_z'):
                raise ValueError(f'{self.model_name}: reference/seed need a SPADE model with '
                                 'a style encoder')
            extra.update(reference=reference, seed=seed)
        return self.model.infer(image.convert('RGB'), **extra)

    def _simplify(self, image, scale: float = 1.0, svg: bool = False, threshold=0.5):
        clean = self.model.simplify(image, scale=scale)
        if not svg:
            return clean
        from sketchgen.apis.vectorize import trace_to_svg
        return clean, trace_to_svg(clean, threshold=threshold)

    def _translate(self, image, direction=None, labels=None):
        extra = {k: v for k, v in dict(direction=direction, labels=labels).items()
                 if v is not None}
        return self.model.infer(image.convert('RGB'), **extra)

    def _cartoonise(self, image, labels=None, direction=None, photo=False):
        if photo:
            from sketchgen.data.face_detection import face_from_photo
            template = self.model.cfg.get('face_template')
            if template is None:
                raise ValueError(f'{self.model_name}: its config has no `face_template` (where '
                                 "the faces' 5 landmarks sit, as fractions of the image), so "
                                 'a photo cannot be aligned for it')
            image = face_from_photo(image, template, self.model.image_size,
                                    getattr(image, 'filename', '') or 'the photo')
        return self._translate(image, direction=direction, labels=labels)

    def _inpaint(self, image, mask=None, roi=None, seed: int = 0, controls=None,
                 discrete=None):
        size = getattr(self.model, 'image_size_wh', image.size)
        image = image.convert('RGB').resize(size, Image.BICUBIC)
        if (mask is None) == (roi is None):
            raise ValueError('inpaint: give a mask (white inside the region) or roi= one of '
                             f'{sorted(ROI_SAMPLERS)}')
        if roi is not None:
            if roi not in ROI_SAMPLERS:
                raise ValueError(f'roi={roi!r} is not one of {sorted(ROI_SAMPLERS)}')
            from sketchgen.data.roi_samplers import build_roi_sampler
            drawn = build_roi_sampler(dict(type=ROI_SAMPLERS[roi]))(
                size[1], size[0], np.random.default_rng(seed))
            mask = Image.fromarray((drawn * 255).astype(np.uint8))
        elif not isinstance(mask, Image.Image):
            mask = Image.open(mask)
        mask = mask.convert('L').resize(size, Image.NEAREST)
        if not (np.asarray(mask) > 127).any():
            raise ValueError('inpaint: the mask has no white pixel, so there is nothing to fill')
        codes = {k: v for k, v in dict(controls=controls, discrete=discrete).items()
                 if v is not None}
        if codes and not self.controls:
            raise ValueError(f'{self.model_name}: this method has no controls')
        return self.model.inpaint(image, mask, seed=seed, **codes)
