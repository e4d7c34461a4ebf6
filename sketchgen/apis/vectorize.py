"""Line drawing -> SVG, through VTracer (`vtracer` on PyPI: maintained Rust
tracer with Python wheels; the paper vectorised with off-the-shelf tracers such
as Potrace). The drawing is first binarised at `threshold`, so the tracer sees
exactly the lines the bitmap shows."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

SMOOTHING = ('spline', 'polygon', 'none')


def trace_to_svg(image: Image.Image, threshold: float = 0.5, smoothing: str = 'spline',
                 min_speckle: int = 4, corner_threshold: int = 60) -> str:
    """Trace the dark lines of a drawing into an SVG document (black paths).

    Args:
        image: the drawing (any mode; converted to grey, 1 = paper).
        threshold: grey level in [0, 1] below which a pixel is ink.
        smoothing: 'spline' (smooth curves), 'polygon' (straight segments) or
            'none' (pixel outlines).
        min_speckle: ink specks smaller than this many pixels (side) are dropped.
        corner_threshold: smallest angle, in degrees, kept as a corner when
            smoothing; larger keeps more corners.
    """
    if smoothing not in SMOOTHING:
        raise ValueError(f'trace_to_svg: smoothing={smoothing!r} is not one of {SMOOTHING}')
    if not 0 < threshold < 1:
        raise ValueError(f'trace_to_svg: threshold={threshold} must be in (0, 1)')
    try:
        import vtracer
    except ImportError as err:
        raise ImportError('SVG output needs the tracer: pip install vtracer') from err
    grey = np.asarray(image.convert('L'), np.float32) / 255
    ink = np.where(grey < threshold, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(ink, 'L').save(buffer, 'PNG')
    return vtracer.convert_raw_image_to_svg(
        buffer.getvalue(), img_format='png', colormode='binary', mode=smoothing,
        filter_speckle=min_speckle, corner_threshold=corner_threshold, length_threshold=4.0,
        splice_threshold=45, path_precision=2)

