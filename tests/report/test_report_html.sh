#!/usr/bin/env bash
# test_report_html.sh - the generated pages in a real browser.
#
# Builds a report site from the fixtures (a failing gate, so every section of
# the index is there: failures with a timeline, gate table, checklists,
# coverage with gcovr links), then for the index and a checklist page:
#   - loads it from disk in headless Chromium: no console message at all (the
#     pages have no script, so any message is an error), and the DOM is there;
#   - every local link and picture resolves, and nothing points to the network;
#   - at a phone's width (390 px) the page does not scroll sideways (measured
#     by a probe script added to a copy of the page, never to the page);
#   - a screenshot at phone width is written to build/report-html/ to look at
#     by eye.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
rollcall=${RC_BIN:-build/bin}/rollcall
fx=fixtures/reports
shots=${RC_SHOTS:-build/report-html}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fails=0
ok() { echo "  ok   $1"; }
bad() { echo "  FAIL $1"; fails=$((fails + 1)); }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
	echo "report html: chromium is not installed (ci/deps.sh installs it)"
	exit 1
fi

# chrome ARGS...: headless Chromium with a throw-away profile, no network chatter.
chrome() {
	local profile
	profile=$(mktemp -d -p "$scratch")
	timeout 90 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$profile" "$@"
}

site=$scratch/site
mkdir -p "$site"
cp $fx/gate-fail.xml "$site/junit.xml"
cp $fx/unit.xml "$site/unit-junit.xml"
cp -r $fx/coverage "$site/coverage"
cp -r $fx/timelines "$site/timelines"
mkdir -p "$site/items/mini"
cp $fx/item-coverage.json "$site/items/mini/1.json"
"$rollcall" report checklists --out "$site/checklists" --results "$site/junit.xml" --results "$site/unit-junit.xml" \
	--coverage-dir "$site/items" $fx/mini.md > /dev/null
"$rollcall" report index --reports "$site" > /dev/null
[ -s "$site/index.html" ] || { echo "report html: no index.html was written"; exit 1; }

# links PAGE: every href/src that is not an anchor, one a line.
links() { grep -o -E '(href|src)="[^"#][^"]*"' "$1" | sed -E 's/^(href|src)="([^"]*)"$/\2/'; }

check_page() { # PAGE NAME
	local page=$1 name=$2 dir probe
	dir=$(dirname "$page")
	echo "$name:"
	# One load of a copy of the page with a probe: the copy is pinned to a
	# phone's width (390 px; Chromium's window cannot be narrower than 500)
	# and a script records how wide the content is. The page itself has no
	# script, so any console message comes from the page: an error.
	probe=$dir/probe-$name.html
	sed -e 's|</head>|<style>html{width:390px}</style></head>|' \
		-e 's|</body>|<script>document.body.insertAdjacentHTML("beforeend", "<p id=probe>width=" + document.body.scrollWidth + "</p>")</script></body>|' \
		"$page" > "$probe"
	chrome --enable-logging=stderr --v=0 --dump-dom "file://$probe" > "$scratch/dom" 2> "$scratch/log"
	rm -f "$probe"
	if grep -q 'CONSOLE' "$scratch/log"; then
		bad "console messages while loading $name"; grep 'CONSOLE' "$scratch/log"
	else
		ok "loads from disk with no console message"
	fi
	if grep -q '<h1>' "$scratch/dom" && grep -q '</footer>' "$scratch/dom"; then ok "the DOM is complete"; else bad "the DOM is incomplete"; fi
	local width
	width=$(grep -o 'width=[0-9][0-9]*' "$scratch/dom" | tail -1 | cut -d= -f2)
	if [ -n "$width" ] && [ "$width" -le 390 ]; then ok "no sideways scrolling at 390 px (content $width px)"; else bad "content is ${width:-?} px wide at 390 px"; fi
	local missing=0 external=0 link
	while read -r link; do
		case $link in
		http:* | https:* | //*) external=$((external + 1)); echo "    network link: $link" ;;
		*) [ -e "$dir/${link%%#*}" ] || { missing=$((missing + 1)); echo "    broken link: $link"; } ;;
		esac
	done < <(links "$page")
	[ $external = 0 ] && ok "self-contained: no network link" || bad "$external network links"
	[ $missing = 0 ] && ok "every local link and picture resolves ($(links "$page" | wc -l) links)" || bad "$missing broken links"
	mkdir -p "$shots"
	rm -f "$shots/$name-phone.png"
	chrome --window-size=390,1600 --screenshot="$here/$shots/$name-phone.png" "file://$page" > /dev/null 2>&1
	[ -s "$shots/$name-phone.png" ] && ok "screenshot: $shots/$name-phone.png" || bad "no screenshot"
}

echo "report pages in headless Chromium ($("$browser" --version 2>/dev/null | head -1)):"
check_page "$site/index.html" index
check_page "$site/checklists/mini.html" checklist
grep -q 'src="timelines/stale-after-2-min.svg"' "$site/index.html" && ok "the failure shows its timeline" || bad "no timeline on the page"

if [ $fails -ne 0 ]; then
	echo "report html: $fails failed"
	exit 1
fi
echo "report html: all passed"
