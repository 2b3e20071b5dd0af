// The web map's style from /api/legend, which reads the one palette (data/map_styles.csv) the
// report maps and the QGIS styles read too: category colours, class steps, likelihood shading.

// MapLibre colour expression of a legend (categories: match; classes: step on the value).
export function colourExpression(property, legend) {
  if (legend.kind === "categories") {
    const expr = ["match", ["to-string", ["get", property]]];
    for (const item of legend.items) expr.push(String(item.value), item.colour);
    expr.push(legend.fallback || "#cccccc");
    return expr;
  }
  const expr = ["step", ["to-number", ["get", property], -1], legend.fallback || "#dddddd"];
  for (const item of legend.items) expr.push(item.from, item.colour);
  // a suppressed value (null: fewer than 5 buildings) is not "0": its own colour
  if (legend.missing) return ["case", ["==", ["get", property], null], legend.missing.colour, expr];
  return expr;
}

// Fill opacity: by the likelihood grade of the selected year where the layer has a shading.
export function opacityExpression(spec, year, plain = 0.6) {
  const shading = spec.shading;
  if (!shading) return plain;
  const expr = ["match", ["to-string", ["get", shading.property.replace("{year}", year)]]];
  for (const item of shading.items) expr.push(String(item.value), item.opacity);
  expr.push(shading.fallback);
  return expr;
}

function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// Legend list items: colours with their labels (class values included), then the shading.
export function legendHtml(spec, lang) {
  const swatch = (colour, opacity = 1) =>
    `<span class="swatch" style="background:${escapeHtml(colour)};opacity:${Number(opacity)}"></span>`;
  const items = spec.legend.missing ? [...spec.legend.items, spec.legend.missing] : spec.legend.items;
  let html = items.map((i) =>
    `<li>${swatch(i.colour)}${escapeHtml(i.label[lang])}</li>`).join("");
  if (spec.shading) {
    const first = spec.legend.items.find((i) => i.value === "dezentral") || spec.legend.items[0];
    html += `<li class="legend-title">${escapeHtml(spec.shading.title[lang])}</li>`;
    html += spec.shading.items.map((i) =>
      `<li data-shading="${escapeHtml(i.value)}">${swatch(first.colour, i.opacity)}${escapeHtml(i.label[lang])}</li>`).join("");
  }
  return html;
}
