#!/usr/bin/env bash
# Build the demonstration practice (invented patients and photographs, made here) and
# capture each main screen of the window under Xvfb: at 1280×800 into docs/screenshots/,
# and at 200 % scaling (QT_SCALE_FACTOR=2 on a 2560×1600 screen) into
# build/screenshots/200/ for checking that nothing is cut. Needs xvfb-run, xauth,
# ImageMagick and the xcb libraries; nothing outside this clone.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PY:-$root/.venv/bin/python}
wait_s=${SCREENSHOT_WAIT:-12}
screens=${SCREENS:-"welcome login desk compare classify quarantine refused lock admin patients device shortcuts record record-compare record-correct today find users retention audit incident record-withdraw"}
for tool in xvfb-run import convert; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install xvfb xauth imagemagick)"; exit 2; }
done
demo=$(mktemp -d "${TMPDIR:-/tmp}/clinfile-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
cd "$root"
"$py" -m tests.demo.practice build "$demo/practice"

# shoot OUT.png WIDTHxHEIGHT SCALE SCREEN: run the demo on a fresh copy of the practice
# under a virtual screen, wait, save the screen as a small palette PNG.
shoot() {
  local out=$1 size=$2 scale=$3 screen=$4
  local practice="$demo/$screen-$scale"
  rm -rf "$practice" && cp -a "$demo/practice" "$practice"
  QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=$scale xvfb-run -a -s "-screen 0 ${size}x24" bash -c '
    "$1" -m tests.demo.practice show "$2" "$3" & app=$!
    sleep "$4"
    import -window root "$5.raw.png"
    kill $app 2>/dev/null; wait $app 2>/dev/null; true' _ \
    "$py" "$practice" "$screen" "$wait_s" "$out"
  convert "$out.raw.png" +dither -colors 128 -strip "PNG8:$out"
  rm -f "$out.raw.png"
}

mkdir -p docs/screenshots build/screenshots/200
for screen in $screens; do
  shoot "docs/screenshots/$screen.png" 1280x800 1 "$screen"
  shoot "build/screenshots/200/$screen.png" 2560x1600 2 "$screen"
done
ls -l docs/screenshots build/screenshots/200
