"""Data sets, joint transforms and the resumable sampler."""
from sketchgen.data import transforms  # noqa: F401  (registers the transforms)
from sketchgen.data.emoji import EmojiUnpairedDataset, build_emoji_domains
from sketchgen.data.huggingface import HFPairedDataset
from sketchgen.data.io import ImageLoadError, load_image
from sketchgen.data.line_art import LineArtDataset
from sketchgen.data.loader import build_dataloader, build_dataset, collate
from sketchgen.data.openmoji import OpenMojiPairedDataset, build_openmoji_pairs
from sketchgen.data.openmoji_semantic import OpenMojiSemanticDataset, build_openmoji_labels
from sketchgen.data.paired import PairedImageDataset
from sketchgen.data.roi_masks import RoIMaskDataset
from sketchgen.data.roi_samplers import sample_masks
from sketchgen.data.roughen import Roughen
from sketchgen.data.sketch import ColourImageDataset, ExtractSketch, canny, xdog
from sketchgen.data.sampler import ResumableSampler
from sketchgen.data.semantic import SemanticFolderDataset
from sketchgen.data.unpaired import UnpairedImageDataset

__all__ = ['ImageLoadError', 'load_image', 'OpenMojiPairedDataset', 'build_openmoji_pairs',
           'PairedImageDataset', 'ResumableSampler', 'ColourImageDataset', 'ExtractSketch',
           'canny', 'xdog', 'HFPairedDataset', 'UnpairedImageDataset', 'EmojiUnpairedDataset',
           'build_emoji_domains', 'LineArtDataset', 'Roughen', 'build_dataloader', 'build_dataset',
           'collate', 'OpenMojiSemanticDataset', 'build_openmoji_labels',
           'SemanticFolderDataset', 'RoIMaskDataset', 'sample_masks']
