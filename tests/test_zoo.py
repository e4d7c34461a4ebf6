"""The model zoo: metafiles, model_zoo.md, and downloads by name, served by a local HTTP
server on 127.0.0.1 that the tests start (good file, corrupted file, a partial file
resumed by a Range request, a connection dropped mid-file, 404, mirror override,
file:// mirror, offline mode, hashes recorded on first download)."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch

from sketchgen import zoo

ROOT = Path(__file__).resolve().parent.parent


class Files(BaseHTTPRequestHandler):
    """Serves `server.files` (path -> bytes) with Range support; `server.drop` paths
    close the connection after half the body; every request's Range is logged."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.log.append((self.path, self.headers.get('Range')))
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = 0
        if self.headers.get('Range', '').startswith('bytes='):
            start = int(self.headers['Range'][6:].split('-')[0])
            self.send_response(206)
            self.send_header('Content-Range', f'bytes {start}-{len(body) - 1}/{len(body)}')
        else:
            self.send_response(200)
        self.send_header('Content-Length', str(len(body) - start))
        self.end_headers()
        if self.path in self.server.drop:
            self.server.drop.discard(self.path)   # the retry gets the rest
            self.wfile.write(body[start:start + (len(body) - start) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body[start:])

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), Files)
    httpd.files, httpd.drop, httpd.log = {}, set(), []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f'http://127.0.0.1:{httpd.server_port}'
    yield httpd
    httpd.shutdown()
    httpd.server_close()


PAYLOAD = bytes(range(256)) * 4096   # 1 MiB


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def zoo_home(tmp_path, monkeypatch):
    """A configs folder with one metafile (written by the test) and an empty cache."""
    configs = tmp_path / 'configs'
    (configs / 'toy').mkdir(parents=True)
    monkeypatch.setattr(zoo, 'CONFIGS', configs)
    monkeypatch.setenv('SKETCHGEN_CACHE', str(tmp_path / 'cache'))
    for var in (zoo.ZOO_URL_ENV, zoo.OFFLINE_ENV, 'HF_HUB_OFFLINE'):
        monkeypatch.delenv(var, raising=False)
    zoo._index.cache_clear()
    yield configs
    zoo._index.cache_clear()


def write_metafile(configs: Path, *rows: str) -> None:
    (configs / 'toy' / 'metafile.yml').write_text('title: Toy\nmodels:\n' + ''.join(rows))
    zoo._index.cache_clear()


def row(name: str, weights: str, extra: str = '') -> str:
    return (f'  - name: {name}\n    task: colourise\n    config: configs/toy/toy.py\n'
            f'    licence: CC0\n    data: none\n    weights:\n{weights}{extra}')


def test_good_file_downloads_once_and_verifies(zoo_home, server):
    server.files['/m.bin'] = PAYLOAD
    write_metafile(zoo_home, row('good', f'      url: {server.url}/m.bin\n'
                                          f'      sha256: {sha(PAYLOAD)}\n'))
    path = zoo.download('good')
    assert path.read_bytes() == PAYLOAD and path.parent.name == 'good'
    assert not list(path.parent.glob('*.part'))
    assert zoo.download('good') == path and len(server.log) == 1   # cached, no second fetch


def test_corrupted_file_is_deleted_and_named(zoo_home, server):
    server.files['/m.bin'] = PAYLOAD[:-1] + b'\x00'
    write_metafile(zoo_home, row('bad', f'      url: {server.url}/m.bin\n'
                                         f'      sha256: {sha(PAYLOAD)}\n'))
    with pytest.raises(zoo.ZooIntegrityError, match=r'm\.bin.*sha256.*deleted'):
        zoo.download('bad')
    assert not list((zoo.zoo_cache() / 'bad').iterdir())


def test_partial_file_resumes_with_a_range_request(zoo_home, server):
    server.files['/m.bin'] = PAYLOAD
    write_metafile(zoo_home, row('part', f'      url: {server.url}/m.bin\n'
                                          f'      sha256: {sha(PAYLOAD)}\n'))
    folder = zoo.zoo_cache() / 'part'
    folder.mkdir(parents=True)
    (folder / 'm.bin.part').write_bytes(PAYLOAD[:300_000])
    assert zoo.download('part').read_bytes() == PAYLOAD
    assert server.log == [('/m.bin', 'bytes=300000-')]


def test_dropped_connection_is_retried(zoo_home, server):
    # huggingface_hub retries; it resumes from what it wrote, which for a file smaller
    # than its 10 MB chunk is nothing, so the retry asks for the whole file again
    server.files['/m.bin'] = PAYLOAD
    server.drop.add('/m.bin')
    write_metafile(zoo_home, row('drop', f'      url: {server.url}/m.bin\n'
                                          f'      sha256: {sha(PAYLOAD)}\n'))
    assert zoo.download('drop').read_bytes() == PAYLOAD
    assert len(server.log) == 2


def test_404_saves_nothing_and_names_the_url(zoo_home, server):
    write_metafile(zoo_home, row('gone', f'      url: {server.url}/missing.bin\n'
                                          f'      sha256: {sha(PAYLOAD)}\n'))
    with pytest.raises(zoo.ZooError, match=r'missing\.bin: download failed \(404\)'):
        zoo.download('gone')
    assert not list((zoo.zoo_cache() / 'gone').iterdir())


def test_unreachable_host_is_a_clear_error(zoo_home):
    write_metafile(zoo_home, row('down', '      url: http://127.0.0.1:9/m.bin\n'
                                         f'      sha256: {sha(PAYLOAD)}\n'))
    with pytest.raises(zoo.ZooError, match=r'127\.0\.0\.1:9/m\.bin: download failed'):
        zoo.download('down')


def test_mirror_override_replaces_the_url(zoo_home, server, monkeypatch, tmp_path):
    server.files['/mirror/m.bin'] = PAYLOAD
    write_metafile(zoo_home, row('mirrored', '      url: http://127.0.0.1:9/m.bin\n'
                                             f'      sha256: {sha(PAYLOAD)}\n'))
    monkeypatch.setenv(zoo.ZOO_URL_ENV, f'{server.url}/mirror/')
    assert zoo.download('mirrored').read_bytes() == PAYLOAD
    assert server.log == [('/mirror/m.bin', None)]
    # an air-gapped mirror: a folder, through file://
    (tmp_path / 'airgap').mkdir()
    (tmp_path / 'airgap' / 'm.bin').write_bytes(PAYLOAD)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, (tmp_path / 'airgap').as_uri())
    (zoo.zoo_cache() / 'mirrored' / 'm.bin').unlink()
    assert zoo.download('mirrored').read_bytes() == PAYLOAD


def test_offline_mode_says_where_to_put_the_file(zoo_home, monkeypatch):
    write_metafile(zoo_home, row('offline-model', '      url: http://127.0.0.1:9/m.bin\n'
                                        f'      sha256: {sha(PAYLOAD)}\n'))
    monkeypatch.setenv(zoo.OFFLINE_ENV, '1')
    target = zoo.zoo_cache() / 'offline-model' / 'm.bin'
    with pytest.raises(zoo.ZooError, match='downloads are off') as err:
        zoo.download('offline-model')
    assert str(target) in str(err.value) and 'http://127.0.0.1:9/m.bin' in str(err.value)
    target.parent.mkdir(parents=True)
    target.write_bytes(PAYLOAD)   # placed by hand: verified and used
    assert zoo.download('offline-model') == target


def test_unknown_hash_is_recorded_then_enforced(zoo_home, server):
    server.files['/ref.bin'] = PAYLOAD
    write_metafile(zoo_home, row('ref', f'      url: {server.url}/ref.bin\n'))
    path = zoo.download('ref')
    assert zoo.recorded_hashes() == {'ref': sha(PAYLOAD)}
    path.write_bytes(PAYLOAD[::-1])   # the cached file changes
    with pytest.raises(zoo.ZooIntegrityError, match='recorded at its first download'):
        zoo.download('ref')
    assert not path.exists()


def test_unpublished_model_prints_how_to_make_it(zoo_home):
    write_metafile(zoo_home, row('local', f'      sha256: {sha(PAYLOAD)}\n',
                                 '    make: python tools/train.py configs/toy/toy.py\n'))
    assert zoo.get('local').available == 'retrain'
    with pytest.raises(zoo.ZooError, match='python tools/train.py configs/toy/toy.py'):
        zoo.download('local')


@pytest.mark.parametrize('weights, extra, message', [
    ('      url: http://x/m.bin\n      sha256: abc\n', '', 'not 64 hex digits'),
    ('      url: http://x/m.bin\n      format: keras\n', '', "format 'keras'"),
    ('      url: http://x/m.bin\n', '    colour: red\n', r"unknown key\(s\) \['colour'\]"),
    ('      sha256: null\n', '', 'needs `make`'),
])
def test_bad_metafile_names_file_model_and_key(zoo_home, weights, extra, message):
    write_metafile(zoo_home, row('broken', weights, extra))
    with pytest.raises(zoo.ZooError, match=message) as err:
        zoo.list_models()
    assert 'metafile.yml' in str(err.value) and "'broken'" in str(err.value)


def test_unknown_name_suggests_close_ones(zoo_home):
    write_metafile(zoo_home, row('pix2pix_toy', '      url: http://x/m.bin\n'))
    with pytest.raises(zoo.ZooError, match=r"Did you mean \['pix2pix_toy'\]"):
        zoo.get('pix2pix_tyo')


def test_init_model_by_name_loads_the_downloaded_checkpoint(zoo_home, server, tiny_pairs,
                                                           tmp_path):
    from conftest import tiny_config
    from sketchgen.apis import init_model
    from sketchgen.checkpoint import save_checkpoint
    from sketchgen.registry import MODELS
    cfg = tiny_config(tiny_pairs)
    model = MODELS.build(cfg.model.to_dict())
    folder = save_checkpoint(tmp_path / 'ckpt', model, cfg, iteration=1)
    data = (folder / 'model.safetensors').read_bytes()
    server.files['/toy.safetensors'] = data
    write_metafile(zoo_home, row('toy_pix2pix', f'      url: {server.url}/toy.safetensors\n'
                                                f'      sha256: {sha(data)}\n'))
    loaded = init_model('toy_pix2pix')
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    assert torch.equal(loaded.generator(x), model.eval().generator(x))


def test_model_zoo_md_is_generated_from_the_metafiles():
    result = subprocess.run([sys.executable, 'tools/zoo_table.py', '--check'], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    names = [m.name for m in zoo.list_models()]
    text = (ROOT / 'model_zoo.md').read_text()
    assert names and all(f'| {name} |' in text for name in names)


def test_shipped_model_loads_by_name_and_cli_lists_it():
    from sketchgen.apis import init_model
    assert type(init_model('sketch_simplification_w0.25_openmoji-128px')).__name__ \
        == 'SketchSimplification'
    out = subprocess.run([sys.executable, '-m', 'sketchgen.cli', 'list-models', '--task',
                          'simplify'], cwd=ROOT, capture_output=True, text=True).stdout
    assert out.split()[:3] == ['sketch_simplification_w0.25_openmoji-128px', 'simplify',
                               'package']


def test_reference_file_is_converted_on_first_download(zoo_home, server, tiny_pairs, tmp_path):
    from conftest import tiny_config
    from sketchgen.apis import init_model
    from sketchgen.registry import MODELS
    cfg = tiny_config(tiny_pairs)
    cfg.dump(str(zoo_home / 'toy' / 'toy.py'))
    reference = MODELS.build(cfg.model.generator.to_dict())
    torch.save(reference.state_dict(), tmp_path / 'facades.pth')
    server.files['/facades.pth'] = (tmp_path / 'facades.pth').read_bytes()
    write_metafile(zoo_home, row('ref_facades', f'      url: {server.url}/facades.pth\n'
                                                '      format: pix2pix-reference\n'))
    path = zoo.download('ref_facades')
    assert path.suffix == '.safetensors' and 'ref_facades' in zoo.recorded_hashes()
    model = init_model('ref_facades')
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    torch.manual_seed(0)
    expected = reference.train()(x)
    torch.manual_seed(0)
    assert torch.allclose(model.generate(x), expected, atol=1e-6)
    assert zoo.download('ref_facades') == path and len(server.log) == 1


def test_published_generator_only_file_is_a_valid_zoo_row(zoo_home, tiny_pairs, tmp_path,
                                                         monkeypatch):
    import json
    import yaml
    from conftest import tiny_config
    from sketchgen.apis import init_model
    from sketchgen.checkpoint import save_checkpoint
    from sketchgen.registry import MODELS
    from sketchgen.tools import run
    cfg = tiny_config(tiny_pairs)
    model = MODELS.build(cfg.model.to_dict()).eval()
    ckpt = save_checkpoint(tmp_path / 'ckpt', model, cfg, iteration=6)
    (tmp_path / 'metrics.json').write_text(json.dumps(dict(
        checkpoint=str(ckpt), split='test', num_samples=8, metrics=dict(PSNR=12.5))))
    assert run('publish_model', [str(ckpt), '--name', 'toy', '--task', 'colourise',
                                 '--config', 'configs/toy/toy.py', '--metrics',
                                 str(tmp_path / 'metrics.json'), '--out',
                                 str(tmp_path / 'release'), '--generator-only',
                                 '--url-base', 'https://example.org/zoo']) == 0
    row = yaml.safe_load((tmp_path / 'release' / 'toy.metafile.yml').read_text())[0]
    assert row['weights']['url'] == 'https://example.org/zoo/toy.safetensors'
    assert row['results'][0]['images'] == 8
    (zoo_home / 'toy' / 'metafile.yml').write_text(yaml.safe_dump(dict(title='Toy',
                                                                       models=[row])))
    zoo._index.cache_clear()
    monkeypatch.setenv(zoo.ZOO_URL_ENV, (tmp_path / 'release').as_uri())
    loaded = init_model('toy')
    x = torch.rand(1, 3, 32, 32) * 2 - 1
    assert torch.equal(loaded.generator(x), model.generator(x))
    with pytest.raises(ValueError, match='discriminator is not in it'):
        loaded.discriminator(x)
