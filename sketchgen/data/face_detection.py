"""Faces in real photos: 5 landmarks by MTCNN (Zhang et al. 2016, as the cartoon
seed used it; facenet-pytorch's implementation, whose weights ship inside its
wheel, so nothing is downloaded), and the photo warped so its face sits where the
cartoon model's training faces sit.

facenet-pytorch's wheel pins torch < 2.3, which sketchgen does not run on; its
code runs on current torch. Install it without its pins:

    pip install --no-deps facenet-pytorch
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

INSTALL = 'pip install --no-deps facenet-pytorch'


class FaceNotFoundError(ValueError):
    """No face was found in a photo."""


@lru_cache(maxsize=1)
def _mtcnn():
    try:
        from facenet_pytorch import MTCNN
    except ImportError:
        raise ImportError('finding faces in photos needs facenet-pytorch (MTCNN, weights '
                          f'inside the package): {INSTALL}  (--no-deps: its wheel pins an '
                          'old torch; its code runs on the current one)') from None
    return MTCNN(keep_all=False, device='cpu')


def detect_face_landmarks(image: Image.Image, min_probability: float = 0.9
                          ) -> np.ndarray | None:
    """(5, 2) pixel points of the most confident face in a photo -- left eye, right
    eye, nose, left and right mouth corner (as seen), the layout of the emoji
    landmarks -- or None when no face reaches `min_probability`."""
    boxes, probabilities, points = _mtcnn().detect(image.convert('RGB'), landmarks=True)
    if boxes is None or probabilities[0] is None or probabilities[0] < min_probability:
        return None
    return np.asarray(points[0], np.float32)


def align_face(photo: Image.Image, landmarks: np.ndarray, template, size: int,
               fill=(255, 255, 255)) -> Image.Image:
    """The photo cropped and rotated into a `size` x `size` image whose face's
    landmarks best match `template` ((5, 2) fractions of the size), by the
    similarity transform (no shear: a face keeps its proportions)."""
    from sketchgen.data.geometry import solve_similarity, warp_affine
    target = np.asarray(template, np.float64) * size
    forward = solve_similarity(np.asarray(landmarks, np.float64), target)
    return warp_affine(photo.convert('RGB'), forward, (size, size), fill)


def face_from_photo(photo: Image.Image, template, size: int, name: str = 'the photo'
                    ) -> Image.Image:
    """Detect the face in a photo and align it onto `template` (see `align_face`);
    FaceNotFoundError naming the photo when there is none."""
    landmarks = detect_face_landmarks(photo)
    if landmarks is None:
        raise FaceNotFoundError(f'{name}: no face found (MTCNN); give a photo with one '
                                'face seen from the front, or crop it yourself')
    return align_face(photo, landmarks, template, size)
