"""The audit report's stylesheet: one inline ``<style>``, screen and print, no external asset.

Colours pair a background with a text colour of at least 4.5:1 contrast
(WCAG 2.1 SC 1.4.3), and every coloured badge also carries an icon and a
word (SC 1.4.1, use of colour). ``@media print`` keeps rows and findings
whole across pages and prints the colours (``print-color-adjust``).
"""

STYLE = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #c9c9c9; --band: #f4f5f7; --link: #0b4f9c; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem 1.25rem 3rem; color: var(--ink); background: #fff;
  font: 15px/1.5 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .4rem; }
h4, h5, h6 { font-size: 1rem; margin: 1rem 0 .3rem; }
p { margin: .4rem 0 .6rem; }
a { color: var(--link); overflow-wrap: anywhere; }
code { font: .9em/1.3 "DejaVu Sans Mono", "Liberation Mono", monospace; overflow-wrap: break-word; }
.aside { display: block; color: var(--muted); font-size: .85em; font-weight: normal; }
.lead { font-size: 1.1rem; color: var(--muted); margin-top: 0; }
.note { color: var(--muted); font-size: .92rem; }
.warning { border-left: 4px solid #b71c1c; padding-left: .6rem; }
.verdict { font-size: 1.2rem; margin: .6rem 0 1rem; }
.verdict .badge { font-size: 1.2rem; padding: .15rem .6rem; }
nav ol { columns: 2; margin: 0; padding-left: 1.4rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .6rem 0 1rem; }
dl > div { display: contents; }
dt { font-weight: bold; }
dd { margin: 0; }
dl[data-table="key-figures"] dd { font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; margin: .6rem 0 1.2rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; caption-side: top; }
th, td { border: 1px solid var(--rule); padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th { background: var(--band); }
tfoot th, tfoot td { font-weight: bold; background: var(--band); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .8rem 0 1.2rem; }
svg.chart { display: block; max-width: 100%; height: auto; margin-bottom: .4rem; font: 13px "DejaVu Sans", Arial, sans-serif; }
svg.chart text { fill: var(--ink); }
svg.chart text.head { font-weight: bold; font-size: 12px; }
svg.chart text.count { font-weight: bold; }
svg.chart text.zero { fill: #777; }
svg.chart text.inbar { fill: #fff; font-weight: bold; paint-order: stroke; stroke: rgba(0,0,0,.6); stroke-width: 2px; }
svg.chart .axis { stroke: var(--ink); }
svg.chart .fill-empty { fill: none; stroke: var(--rule); }
svg.chart rect.cell { stroke: var(--rule); stroke-opacity: 1; }
.fill-bar { fill: #3f51b5; }
.fill-sev-critical { fill: #6a1b9a; } .fill-sev-high { fill: #c62828; } .fill-sev-medium { fill: #ef6c00; }
.fill-sev-low { fill: #1e88e5; } .fill-sev-info { fill: #78909c; }
.fill-trust-secnumcloud { fill: #2e7d32; } .fill-trust-eu_not_exposed { fill: #7cb342; }
.fill-trust-eu_exposed { fill: #fb8c00; } .fill-trust-outside_eu { fill: #c62828; } .fill-trust-unknown { fill: #757575; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .25rem; font-weight: bold; white-space: nowrap; font-size: .9em; }
.sev-critical { background: #6a1b9a; color: #fff; } .sev-high { background: #b71c1c; color: #fff; }
.sev-medium { background: #ffcc80; color: #4e2600; } .sev-low { background: #bbdefb; color: #0d2a4a; }
.sev-info { background: #eceff1; color: #263238; }
.trust-secnumcloud { background: #c8e6c9; color: #1b5e20; } .trust-eu_not_exposed { background: #dcedc8; color: #33691e; }
.trust-eu_exposed { background: #ffe0b2; color: #7a3e00; } .trust-outside_eu { background: #ffcdd2; color: #7f0000; }
.trust-unknown { background: #e0e0e0; color: #212121; }
.verdict-non_compliant { background: #b71c1c; color: #fff; } .verdict-reservations { background: #ffcc80; color: #4e2600; }
.verdict-compliant { background: #c8e6c9; color: #1b5e20; } .verdict-empty { background: #e0e0e0; color: #212121; }
.unconfirmed { background: #fff3cd; color: #5c4400; border: 1px solid #c9a227; }
.change-new { background: #ffcdd2; color: #7f0000; } .change-fixed { background: #c8e6c9; color: #1b5e20; }
.change-unchanged { background: #e0e0e0; color: #212121; } .change-suppressed { background: #fff3cd; color: #5c4400; }
section.finding { border: 1px solid var(--rule); border-radius: .35rem; padding: .2rem 1rem .6rem; margin: 1rem 0; }
section.finding h3 { margin-top: .6rem; }
section.finding h4 { margin: .6rem 0 .2rem; }
.message { font-weight: bold; }
ol.chain > li { margin: .25rem 0; }
ol.chain ul { margin: .15rem 0; padding-left: 1.2rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-before: auto; }
  h2, h3, h4, caption { break-after: avoid; }
  tr, figure, dl, section.finding, .verdict { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""
