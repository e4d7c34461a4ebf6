from sketchgen.evaluation.evaluator import build_metrics, evaluate, format_results, sample_grid
from sketchgen.evaluation.feature_networks import (EfficientNetLite0, FeatureNetwork,
                                                   InceptionV3, build_feature_network)
from sketchgen.evaluation.fid import FID, KID
from sketchgen.evaluation.metrics import (L1, LPIPS, PSNR, SSIM, GramDistance, LineF1,
                                          Metric, PerImageMetric)
from sketchgen.weights import WEIGHTS_DIR_ENV, MissingWeightsError, find_weights

__all__ = ['build_metrics', 'evaluate', 'format_results', 'sample_grid', 'EfficientNetLite0',
           'FeatureNetwork', 'InceptionV3', 'build_feature_network', 'FID', 'KID', 'L1',
           'LPIPS', 'PSNR', 'SSIM', 'GramDistance', 'LineF1', 'Metric', 'PerImageMetric',
           'WEIGHTS_DIR_ENV', 'MissingWeightsError', 'find_weights']
