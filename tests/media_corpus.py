"""A media corpus generated on the fly (nothing binary is committed): good and bad photos and videos.

    paths = build(tmp_dir)            # {name: Path}; see CORPUS for what each one is
    paths = build(tmp_dir, only={"square_jpg", "huge_jpg"})

Everything is made with Pillow, pillow-heif and PyAV in well under a few seconds in total; the 50 MP
JPEG and the noisy 3000×3000 one are the slowest (a fraction of a second each).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path

GPS_POSITION = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # Paris


def jpeg(path: Path, size: tuple[int, int], *, colour: str = "steelblue", exif: bytes | None = None) -> Path:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(im)
    # A marker in the top-left corner, so orientation and crops can be checked on the pixels.
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill="red")
    im.save(path, "JPEG", quality=90, **({"exif": exif} if exif else {}))
    return path


def _exif(orientation: int | None = None, gps: bool = False) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "linkdeck test camera"
    exif.get_ifd(0x8769)[0x9003] = "2026:11:25 12:00:00"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif.get_ifd(0x8825).update(GPS_POSITION)
    return exif.tobytes()


def exif_rotated(path: Path) -> Path:
    """Stored 1200×800 (landscape) with EXIF orientation 6: displayed 800×1200 (portrait)."""
    return jpeg(path, (1200, 800), exif=_exif(orientation=6))


def with_gps(path: Path) -> Path:
    return jpeg(path, (1080, 1080), exif=_exif(gps=True))


def cmyk_jpeg(path: Path) -> Path:
    from PIL import Image

    Image.new("CMYK", (1080, 1080), (0, 120, 200, 10)).save(path, "JPEG", quality=90)
    return path


def png16_grey(path: Path) -> Path:
    from PIL import Image

    im = Image.new("I;16", (1080, 1080))
    im.putdata([(x * 60) % 65536 for x in range(1080)] * 1080)
    im.save(path, "PNG")
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png16_rgb(path: Path, size: tuple[int, int] = (64, 64)) -> Path:
    """A 16-bit-per-channel RGB PNG written by hand (Pillow can't write one)."""
    w, h = size
    row = b"".join(struct.pack(">HHH", x * 1000, 30000, 65535 - x * 1000) for x in range(w))
    raw = b"".join(b"\x00" + row for _ in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )
    path.write_bytes(data)
    return path


def png_bomb(path: Path) -> Path:
    """A PNG header claiming 40000×40000 (1.6 gigapixels): a valid IHDR (CRC and all), no data."""
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr))
    return path


def animated_gif(path: Path) -> Path:
    from PIL import Image

    frames = [Image.new("RGB", (400, 400), colour) for colour in ("red", "green", "blue")]
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def heic(path: Path) -> Path:
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    Image.new("RGB", (1200, 900), "seagreen").save(path, "HEIF", quality=80)
    return path


def heic_rotated(path: Path) -> Path:
    """A HEIC stored 1200×800 with EXIF orientation 6 (pillow-heif turns it upright on reading)."""
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    Image.new("RGB", (1200, 800), "seagreen").save(path, "HEIF", quality=80, exif=_exif(orientation=6))
    return path


def webp(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (1080, 1080), "orange").save(path, "WEBP", quality=80)
    return path


def huge_jpeg(path: Path) -> Path:
    """About 50 megapixels (8660×5774), small on disk (flat colours)."""
    return jpeg(path, (8660, 5774))


def noisy_jpeg(path: Path, size: tuple[int, int] = (3000, 3000)) -> Path:
    """Noise compresses badly: several MB, over Bluesky's 2 MB and X's 5 MB."""
    from PIL import Image

    bands = [Image.effect_noise(size, 90) for _ in range(3)]
    Image.merge("RGB", bands).save(path, "JPEG", quality=95)
    return path


def truncated_jpeg(path: Path) -> Path:
    full = jpeg(path.with_name("whole-" + path.name), (1600, 1200))
    noisy = noisy_jpeg(path.with_name("noisy-" + path.name), (800, 600))
    data = noisy.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    full.unlink()
    noisy.unlink()
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def text_as_jpg(path: Path) -> Path:
    path.write_text("Dear diary,\nthis is not a photo at all, only text renamed to .jpg.\n")
    return path


def video(
    path: Path,
    size: tuple[int, int] = (320, 180),
    seconds: float = 3.0,
    fps: int = 30,
    *,
    rotation: int = 0,
    audio: bool = True,
    container: str | None = None,
) -> Path:
    """An H.264 video (with AAC audio) of flat frames; ``rotation`` sets the display matrix."""
    import av
    from PIL import Image

    frames = max(1, round(seconds * fps))
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast"}
        if rotation:
            stream.set_display_rotation(rotation)
        sound = out.add_stream("aac", rate=44100) if audio else None
        picture = Image.new("RGB", size, "purple")
        for i in range(frames):
            frame = av.VideoFrame.from_image(picture)  # type: ignore[no-untyped-call,unused-ignore]
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
        if sound is not None:
            samples, pts = 1024, 0
            while pts < seconds * 44100:
                chunk = av.AudioFrame(format="fltp", layout="mono", samples=samples)
                chunk.planes[0].update(bytes(samples * 4))
                chunk.sample_rate, chunk.pts = 44100, pts
                out.mux(sound.encode(chunk))
                pts += samples
            out.mux(sound.encode(None))
    return path


def truncated_video(path: Path) -> Path:
    whole = video(path.with_name("whole-" + path.name))
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the index (moov) is at the end: cut away
    whole.unlink()
    return path


Maker = Callable[[Path], Path]

# name → (file name, maker). File names carry the extension a user would see.
CORPUS: dict[str, tuple[str, Maker]] = {
    "square_jpg": ("square.jpg", lambda p: jpeg(p, (1080, 1080))),
    "portrait_4x5_jpg": ("portrait-4x5.jpg", lambda p: jpeg(p, (1080, 1350))),
    "portrait_9x16_jpg": ("portrait-9x16.jpg", lambda p: jpeg(p, (1080, 1920))),
    "wide_3x1_jpg": ("wide-3x1.jpg", lambda p: jpeg(p, (1500, 500))),
    "small_jpg": ("small.jpg", lambda p: jpeg(p, (200, 200))),
    "exif_rotated_jpg": ("rotated.jpg", exif_rotated),
    "gps_jpg": ("gps.jpg", with_gps),
    "cmyk_jpg": ("cmyk.jpg", cmyk_jpeg),
    "png16_grey": ("grey16.png", png16_grey),
    "png16_rgb": ("rgb16.png", png16_rgb),
    "png_square": ("square.png", lambda p: _png(p, (1080, 1080))),
    "animated_gif": ("animated.gif", animated_gif),
    "heic": ("photo.heic", heic),
    "heic_rotated": ("rotated.heic", heic_rotated),
    "webp": ("photo.webp", webp),
    "huge_jpg": ("huge-50mp.jpg", huge_jpeg),
    "noisy_jpg": ("noisy-3000.jpg", noisy_jpeg),
    "truncated_jpg": ("truncated.jpg", truncated_jpeg),
    "empty_jpg": ("empty.jpg", empty),
    "text_jpg": ("text.jpg", text_as_jpg),
    "bomb_png": ("bomb.png", png_bomb),
    "landscape_mp4": ("landscape.mp4", lambda p: video(p, (320, 180), 3.0)),
    "portrait_mp4": ("portrait-9x16.mp4", lambda p: video(p, (180, 320), 3.0)),
    "rotated_mp4": ("rotated.mp4", lambda p: video(p, (320, 180), 1.0, rotation=90)),
    "short_mp4": ("short.mp4", lambda p: video(p, (320, 180), 1.0)),
    "long_mp4": ("long-150s.mp4", lambda p: video(p, (64, 64), 150.0, fps=1, audio=False)),
    "wide_mp4": ("wide-4x1.mp4", lambda p: video(p, (400, 100), 1.0, audio=False)),
    "mov": ("clip.mov", lambda p: video(p, (320, 180), 3.0, container="mov")),
    "truncated_mp4": ("truncated.mp4", truncated_video),
}


def _png(path: Path, size: tuple[int, int]) -> Path:
    from PIL import Image

    Image.new("RGBA", size, (30, 144, 255, 200)).save(path, "PNG")
    return path


def build(root: Path, only: Iterable[str] | None = None) -> dict[str, Path]:
    """Make the corpus (or the named part of it) in ``root``; returns name → path."""
    root.mkdir(parents=True, exist_ok=True)
    names = list(CORPUS) if only is None else list(only)
    return {name: CORPUS[name][1](root / CORPUS[name][0]) for name in names}


if __name__ == "__main__":  # make a corpus to look at: python -m tests.media_corpus DIR
    import sys

    for name, made in build(Path(sys.argv[1] if len(sys.argv) > 1 else "media-corpus")).items():
        print(f"{name:<20} {made}")
