"""Server-streaming rpcs: a Stream* rpc answers what its List* twin answers, in batches,
and ends with OK; a filter passes through. Uses the real registry (registry.py)."""
import pytest

import registry
from wasmcri_harness import pb


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    reg = registry.Registry(tmp_path_factory.mktemp("streamreg")).start()
    reg.push(tmp_path_factory.mktemp("streamimages"), only=["compat", "multiarch"])
    yield reg
    reg.stop()


def test_stream_images_matches_list_images(pulled, new_daemon):
    d = new_daemon(config={"registries": [{"host": pulled.host, "insecure": True}]}).start()
    for name in ("compat", "multiarch"):
        d.image().PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=pulled.ref(name))),
                            timeout=60)
    listed = sorted(i.id for i in d.image().ListImages(pb.ListImagesRequest()).images)
    batches = list(d.image().StreamImages(pb.StreamImagesRequest(), timeout=10))
    streamed = sorted(i.id for b in batches for i in b.images)
    assert len(listed) == 2
    assert streamed == listed
    one = pulled.ref("compat")
    filtered = list(d.image().StreamImages(
        pb.StreamImagesRequest(filter=pb.ImageFilter(image=pb.ImageSpec(image=one))), timeout=10))
    expect = d.image().ListImages(
        pb.ListImagesRequest(filter=pb.ImageFilter(image=pb.ImageSpec(image=one)))).images
    assert [i.id for b in filtered for i in b.images] == [i.id for i in expect]


def test_stream_of_an_empty_list_is_one_empty_batch(daemon):
    batches = list(daemon.image().StreamImages(pb.StreamImagesRequest(), timeout=10))
    assert len(batches) == 1 and len(batches[0].images) == 0
