#!/usr/bin/env bash
# Build the demonstration practice and capture each main screen of the window under Xvfb
# into docs/screenshots/. Needs xvfb-run, xauth, ImageMagick and the xcb libraries.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PY:-$root/.venv/bin/python}
shoot=${SCREENSHOT_TOOL:-$root/../shared/tools/screenshot}
out=$root/docs/screenshots
demo=$(mktemp -d "${TMPDIR:-/tmp}/clinfile-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
mkdir -p "$out"
cd "$root"
"$py" -m ui.demo build "$demo/practice"
for screen in welcome login desk compare classify quarantine refused lock admin device; do
  "$shoot" "$out/$screen.raw.png" 9 -- "$py" -m ui.demo show "$demo/practice" "$screen"
  # Keep the PNGs small: an undithered palette of 128 colours is plenty for a window.
  convert "$out/$screen.raw.png" +dither -colors 128 -strip "PNG8:$out/$screen.png"
  rm -f "$out/$screen.raw.png"
done
ls -l "$out"
