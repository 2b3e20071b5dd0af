// heatplan digital map: MapLibre GL JS with the project's own GeoJSON layers (no tile server).
import * as maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import polylabel from "polylabel";
import { colourExpression, legendHtml, opacityExpression } from "./mapStyle.js";

const state = { lang: "de", year: "2030", meta: null, legend: null, labels: null, map: null, visible: {},
  measuresVisible: false, participation: null, picking: false, comment: null };
const $ = (sel) => document.querySelector(sel);

const TEXT = {
  de: { explain: "Was zeigt diese Ebene?", search: "Adresse oder Straße suchen", layers: "Ebenen", year: "Jahr", target: "Zieljahr",
        none: "Keine Treffer", factsheet: "Steckbrief", close: "Schließen", downloads: "Downloads",
        measures: "Maßnahmen", login: "Anmelden (Planung)", measuresLayer: "Maßnahmen auf der Karte",
        comment: "Stellungnahme zum Entwurf", pick: "Ort auf der Karte wählen", picked: "Gewählter Ort",
        area: "Gebiet", text: "Ihre Stellungnahme", name: "Name (freiwillig, wird nicht veröffentlicht)",
        email: "E-Mail (freiwillig, wird nicht veröffentlicht)", send: "Absenden", anyArea: "– Gebiet wählen –",
        openSheet: "Steckbrief dieses Gebiets", commentHere: "Stellungnahme zu diesem Ort", inYear: "im Jahr", clickHint: "Klicken Sie in die Karte, um den Ort zu wählen." },
  en: { explain: "What does this layer show?", search: "Search address or street", layers: "Layers", year: "Year", target: "Target year",
        none: "No matches", factsheet: "Fact sheet", close: "Close", downloads: "Downloads",
        measures: "Measures", login: "Log in (planning)", measuresLayer: "Measures on the map",
        comment: "Comment on the draft", pick: "Pick a place on the map", picked: "Chosen place",
        area: "Area", text: "Your comment", name: "Name (optional, never published)",
        email: "E-mail (optional, never published)", send: "Send", anyArea: "– choose an area –",
        openSheet: "Fact sheet of this area", commentHere: "Comment on this place", inYear: "in", clickHint: "Click on the map to choose the place." },
};
const t = (key) => TEXT[state.lang][key] || key;
// Every label and code goes through the server's one vocabulary (/api/labels).
const code = (value) => {
  const entry = state.labels?.codes[String(value)];
  return entry ? entry[state.lang] : String(value ?? "–");
};
const locale = () => (state.lang === "de" ? "de-DE" : "en-GB");
function fieldSpec(key) {
  const fields = state.labels?.fields || {};
  return fields[key] || fields[key.replace(/_\d{4}$/, "_{year}")] || null;
}
function formatDate(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value ?? ""));
  if (!m) return String(value ?? "–");
  return state.lang === "de" ? `${m[3]}.${m[2]}.${m[1]}` : `${m[1]}-${m[2]}-${m[3]}`;
}
function formatNumber(value, decimals) {
  return Number(value).toLocaleString(locale(), { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
// "Wärmebedarf: 1.234 MWh/a" from ("heat_demand_kwh_per_a", 1234000); null for fields not shown.
function labelled(key, value) {
  const spec = fieldSpec(key);
  if (!spec || value === null || value === undefined || value === "") return null;
  let text;
  if (spec.date) text = formatDate(value);
  else if (spec.factor && Number.isFinite(Number(value))) {
    text = `${formatNumber(Number(value) * spec.factor, spec.decimals)}${spec.unit ? ` ${spec.unit}` : ""}`;
  } else if (typeof value === "boolean") text = code(String(value));
  else text = code(value);
  return [spec[state.lang], text];
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function baseStyle(meta) {
  if (meta.basemap_style) return meta.basemap_style;
  return {
    version: 8,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#f4f3ef" } }],
  };
}

function property(layer) {
  const spec = state.legend.layers[layer.id];
  return spec.property.replace("{year}", state.year);
}

function addLayer(map, layer) {
  const spec = state.legend.layers[layer.id];
  if (!map.getSource(layer.source)) {
    map.addSource(layer.source, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  }
  const colour = colourExpression(property(layer), spec.legend);
  const visibility = layer.default_visible ? "visible" : "none";
  state.visible[layer.id] = !!layer.default_visible;
  if (layer.geometry === "polygon") {
    map.addLayer({ id: `${layer.id}-fill`, type: "fill", source: layer.source,
      layout: { visibility }, paint: { "fill-color": colour, "fill-opacity": opacityExpression(spec, state.year) } });
    map.addLayer({ id: `${layer.id}-line`, type: "line", source: layer.source,
      layout: { visibility }, paint: { "line-color": "#555", "line-width": 0.6 } });
  } else if (layer.geometry === "line") {
    map.addLayer({ id: `${layer.id}-line`, type: "line", source: layer.source,
      layout: { visibility }, paint: { "line-color": colour, "line-width": 3 } });
  } else {  // points, or sites given as areas: both drawn
    const isPoint = ["==", ["geometry-type"], "Point"];
    map.addLayer({ id: `${layer.id}-fill`, type: "fill", source: layer.source, filter: ["!", isPoint],
      layout: { visibility }, paint: { "fill-color": colour, "fill-opacity": 0.7 } });
    map.addLayer({ id: `${layer.id}-circle`, type: "circle", source: layer.source, filter: isPoint,
      layout: { visibility }, paint: { "circle-color": colour, "circle-radius": 6,
        "circle-stroke-color": "#333", "circle-stroke-width": 1 } });
  }
}

// Area ids as labels (HTML markers: the offline map has no glyph server for symbol layers),
// each at the pole of inaccessibility of the area's largest part, so it lies inside the area.
const areaLabels = [];

function ringArea(ring) {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  }
  return Math.abs(sum / 2);
}

function labelAreas(data) {
  while (areaLabels.length) areaLabels.pop().remove();
  if (!data) return;
  for (const feature of data.features) {
    const id = feature.properties && feature.properties.area_id;
    const geometry = feature.geometry || {};
    const parts = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    if (!id || !parts.length) continue;
    const largest = parts.reduce((a, b) => (ringArea(b[0]) > ringArea(a[0]) ? b : a));
    const element = document.createElement("div");
    element.className = "area-label";
    element.textContent = id;
    areaLabels.push(new maplibregl.Marker({ element }).setLngLat(polylabel(largest, 1e-5)).addTo(state.map));
  }
}

function styleLayers(id) {
  return ["fill", "line", "circle"].map((k) => `${id}-${k}`).filter((l) => state.map.getLayer(l));
}

function recolour() {
  for (const layer of state.meta.layers) {
    const spec = state.legend.layers[layer.id];
    const colour = colourExpression(property(layer), spec.legend);
    for (const id of styleLayers(layer.id)) {
      const kind = id.slice(layer.id.length + 1);
      if (kind === "fill") state.map.setPaintProperty(id, "fill-color", colour);
      if (kind === "fill" && spec.shading) state.map.setPaintProperty(id, "fill-opacity", opacityExpression(spec, state.year));
      if (kind === "circle") state.map.setPaintProperty(id, "circle-color", colour);
      if (kind === "line" && layer.geometry === "line") state.map.setPaintProperty(id, "line-color", colour);
    }
  }
}

async function refreshData() {
  const map = state.map;
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
  const zoom = Math.round(map.getZoom());
  const sources = [...new Set(state.meta.layers.filter((l) => state.visible[l.id]).map((l) => l.source))];
  await Promise.all(sources.map(async (source) => {
    const data = await getJSON(`/api/layers/${source}?bbox=${bbox}&zoom=${zoom}`);
    map.getSource(source).setData(data);
    if (source === "areas") labelAreas(data);
  }));
  if (!state.visible.areas) labelAreas(null);
  document.body.dataset.loaded = "true";
}

function renderPanel() {
  $("#search").placeholder = t("search");
  $("#layers-title").textContent = t("layers");
  $("#year-label").textContent = t("year");
  $("#login-link").textContent = t("login");
  $("#downloads-title").textContent = t("downloads");
  $("#measures-title").textContent = t("measures");
  $("#comment-title").textContent = t("comment");
  $("#measures").innerHTML = (state.measures || []).map((m) =>
    `<li><strong>${escapeHtml(m.measure_id)}</strong> ${escapeHtml(m.title)} – ${escapeHtml(code(m.status))}` +
    `${m.completion_date ? ` (${escapeHtml(formatDate(m.completion_date))})` : ""}</li>`).join("");
  const list = $("#layer-list");
  list.innerHTML = "";
  for (const layer of state.meta.layers) {
    const spec = state.legend.layers[layer.id];
    const item = document.createElement("div");
    item.className = "layer";
    const legendItems = legendHtml(spec, state.lang);
    item.innerHTML = `<label><input type="checkbox" data-layer="${escapeHtml(layer.id)}" ${state.visible[layer.id] ? "checked" : ""}> ${escapeHtml(spec.title[state.lang])}</label>
      <details><summary>${escapeHtml(t("explain"))}</summary><p>${escapeHtml(spec.explanation[state.lang])}</p></details>
      <ul class="legend" ${state.visible[layer.id] ? "" : "hidden"}>${legendItems}</ul>`;
    list.appendChild(item);
  }
  const measuresItem = document.createElement("div");
  measuresItem.className = "layer";
  measuresItem.innerHTML = `<label><input type="checkbox" id="measures-toggle" ${state.measuresVisible ? "checked" : ""}> ${escapeHtml(t("measuresLayer"))}</label>`;
  list.appendChild(measuresItem);
  $("#measures-toggle").addEventListener("change", (e) => showMeasures(e.target.checked));
  list.querySelectorAll("input[data-layer]").forEach((box) => box.addEventListener("change", () => {
    state.visible[box.dataset.layer] = box.checked;
    box.closest(".layer").querySelector(".legend").hidden = !box.checked;
    for (const id of styleLayers(box.dataset.layer)) {
      state.map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none");
    }
    refreshData();
  }));
  const years = $("#year");
  years.innerHTML = state.meta.years.map((y) =>
    `<option value="${escapeHtml(y.year)}" ${String(y.year) === state.year ? "selected" : ""}>${escapeHtml(y.key === "target" ? `${t("target")} ${y.year}` : y.year)}</option>`).join("");
  $("#downloads").innerHTML = state.meta.downloads.map((d) =>
    `<li><a href="${escapeHtml(d.url)}">${escapeHtml(d.label[state.lang])}</a></li>`).join("");
  renderComment();
}

// The measures layer: public measures drawn over the areas they name.
const MEASURE_LAYERS = ["measures-fill", "measures-line"];
function addMeasuresLayer(map) {
  map.addSource("measures", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: "measures-fill", type: "fill", source: "measures", layout: { visibility: "none" },
    paint: { "fill-color": "#222222", "fill-opacity": 0.08 } });
  map.addLayer({ id: "measures-line", type: "line", source: "measures", layout: { visibility: "none" },
    paint: { "line-color": "#222222", "line-width": 2, "line-dasharray": [2, 1] } });
}
async function showMeasures(visible) {
  state.measuresVisible = visible;
  if (visible && !state.measuresLoaded) {
    state.map.getSource("measures").setData(await getJSON("/api/measures/geojson"));
    state.measuresLoaded = true;
  }
  for (const id of MEASURE_LAYERS) state.map.setLayoutProperty(id, "visibility", visible ? "visible" : "none");
}

// One entry per feature (a polygon's fill and outline are one), the map's layers before measures.
function distinct(features) {
  const seen = new Set();
  const out = [];
  for (const f of features) {
    const key = `${f.source}:${f.properties.measure_id ?? f.properties.area_id ?? f.id ?? JSON.stringify(f.properties)}`;
    if (!seen.has(key)) { seen.add(key); out.push(f); }
  }
  return out.sort((a, b) => Number(a.source === "measures") - Number(b.source === "measures"));
}

function popupHtml(features) {
  const parts = distinct(features).slice(0, 4).map((feature) => {
    const rows = [];
    const entries = Object.entries(feature.properties);
    entries.sort(([a], [b]) => Number(!/_\d{4}$/.test(a)) - Number(!/_\d{4}$/.test(b)));
    for (const [key, value] of entries) {
      const year = /_(\d{4})$/.exec(key);
      if (year && year[1] !== state.year) continue;
      const pair = labelled(key, value);
      if (pair) rows.push(`<tr><th>${escapeHtml(pair[0])}</th><td>${escapeHtml(pair[1])}</td></tr>`);
    }
    return `<table class="popup">${rows.join("")}</table>`;
  });
  const area = features.find((f) => f.layer.id.startsWith("areas") && f.properties.area_id);
  const id = area ? escapeHtml(area.properties.area_id) : "";
  const button = area ? `<button type="button" class="open-sheet" data-area="${id}">${escapeHtml(t("openSheet"))}</button>` : "";
  const comment = area && state.participation?.open ? ` <button type="button" class="comment-here" data-area="${id}">${escapeHtml(t("commentHere"))}</button>` : "";
  return parts.join("<hr>") + button + comment;
}

function renderComment() {
  const box = $("#comment-box");
  const p = state.participation;
  if (!box || !p) return;
  if (!p.open) {
    box.innerHTML = `<p id="comment-closed" class="closed">${escapeHtml(p.message[state.lang])}</p>`;
    return;
  }
  const areas = (state.areas || []).map((a) => `<option value="${escapeHtml(a.area_id)}">${escapeHtml(a.name || a.area_id)}</option>`).join("");
  box.innerHTML = `<p class="note">${escapeHtml(p.message[state.lang])}</p>
    <form id="comment-form">
      <label>${escapeHtml(t("area"))} <select name="area_id"><option value="">${escapeHtml(t("anyArea"))}</option>${areas}</select></label>
      <p><button type="button" id="comment-pick">${escapeHtml(t("pick"))}</button> <span id="comment-place"></span></p>
      <label>${escapeHtml(t("text"))}<textarea name="text" rows="4" maxlength="5000" required></textarea></label>
      <label>${escapeHtml(t("name"))}<input name="name" maxlength="200" autocomplete="name"></label>
      <label>${escapeHtml(t("email"))}<input name="email" type="email" maxlength="200" autocomplete="email"></label>
      <button type="submit">${escapeHtml(t("send"))}</button>
      <p id="comment-result" role="status"></p>
    </form>`;
  $("#comment-pick").addEventListener("click", () => {
    state.picking = true;
    $("#comment-place").textContent = t("clickHint");
  });
  $("#comment-form").addEventListener("submit", submitComment);
}

function pickPlace(event) {
  state.picking = false;
  state.comment = { lon: Number(event.lngLat.lng.toFixed(6)), lat: Number(event.lngLat.lat.toFixed(6)) };
  const hit = state.map.queryRenderedFeatures(event.point).find((f) => f.properties.area_id);
  if (hit) $("#comment-form select[name=area_id]").value = hit.properties.area_id;
  $("#comment-place").textContent = `${t("picked")}: ${formatNumber(state.comment.lat, 5)}, ${formatNumber(state.comment.lon, 5)}`;
  if (state.commentMarker) state.commentMarker.remove();
  state.commentMarker = new maplibregl.Marker({ color: "#6a3d9a" }).setLngLat(event.lngLat).addTo(state.map);
}

async function submitComment(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { text: form.get("text"), area_id: form.get("area_id") || null,
    name: form.get("name") || null, email: form.get("email") || null, ...(state.comment || {}) };
  const result = $("#comment-result");
  const response = await fetch("/api/comments", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body) });
  const data = await response.json();
  if (response.ok) {
    result.textContent = data.message[state.lang];
    result.className = "ok";
    event.target.reset();
    state.comment = null;
    if (state.commentMarker) state.commentMarker.remove();
    $("#comment-place").textContent = "";
  } else {
    result.textContent = typeof data.detail === "string" ? data.detail : t("text");
    result.className = "error";
  }
}

function renderFactsheet(sheet) {
  const panel = $("#factsheet");
  const L = state.lang;
  const rows = sheet.years.map((y) =>
    `<tr class="${y.year === sheet.year ? "chosen" : ""}"><td>${escapeHtml(y.label[L])}</td><td>${escapeHtml(y.area_type[L])}</td><td>${escapeHtml(y.likelihood[L])}</td></tr>`).join("");
  const options = sheet.options.rows.map((o) =>
    `<tr><td>${escapeHtml(o.label[L])}</td><td class="num">${o.cost_eur_per_mwh == null ? "–" : escapeHtml(`${formatNumber(o.cost_eur_per_mwh, 0)} €/MWh`)}</td></tr>`).join("");
  const funding = sheet.funding.map((f) => `<li>${escapeHtml(f[L])}</li>`).join("");
  panel.innerHTML = `<button id="factsheet-close" type="button" aria-label="${escapeHtml(t("close"))}">×</button>
    <h2>${escapeHtml(sheet.kind === "area" && sheet.area_name ? sheet.area_name[L] : sheet.place)} <small>${escapeHtml(t("inYear"))} ${escapeHtml(sheet.year)}</small></h2>
    <p id="factsheet-summary" class="lead">${escapeHtml(sheet.summary[L])}</p>
    <h3>${escapeHtml(sheet.headings.expect[L])}</h3><p>${escapeHtml(sheet.expect[L])}</p>
    ${sheet.measures.length ? `<h3>${escapeHtml(sheet.headings.measures[L])}</h3><ul class="measures">${sheet.measures.map((m) => `<li>${escapeHtml(m[L])}</li>`).join("")}</ul>` : ""}
    <h3>${escapeHtml(sheet.headings.reason[L])}</h3><p>${escapeHtml(sheet.reason[L])}</p>
    <table class="years"><thead><tr><th>${escapeHtml(sheet.headings.year[L])}</th><th>${escapeHtml(sheet.headings.area_type[L])}</th><th>${escapeHtml(sheet.headings.likelihood[L])}</th></tr></thead><tbody>${rows}</tbody></table>
    <h3>${escapeHtml(sheet.headings.options[L])}</h3><p>${escapeHtml(sheet.options.note[L])}</p>
    <table class="options"><tbody>${options}</tbody></table>
    <h3>${escapeHtml(sheet.headings.funding[L])}</h3><ul>${funding}</ul>
    ${sheet.area_id ? `<p><a href="/areas/${encodeURIComponent(sheet.area_id)}">${escapeHtml(sheet.headings.profile[L])}</a></p>` : ""}`;
  panel.hidden = false;
  panel.dataset.place = sheet.place;
  panel.dataset.year = String(sheet.year);
  $("#factsheet-close").addEventListener("click", () => { panel.hidden = true; state.sheetKey = null; });
  state.lastSheet = sheet;
}

async function openSheet(key) {
  state.sheetKey = key;
  renderFactsheet(await getJSON(`/api/factsheet?key=${encodeURIComponent(key)}&year=${encodeURIComponent(state.year)}`));
}

async function openResult(result) {
  $("#results").innerHTML = "";
  state.map.jumpTo({ center: [result.lon, result.lat], zoom: result.kind === "area" ? 14 : 16 });
  if (state.marker) state.marker.remove();
  state.marker = new maplibregl.Marker().setLngLat([result.lon, result.lat]).addTo(state.map);
  await openSheet(result.key);
}

async function search(query) {
  const list = $("#results");
  if (query.trim().length < 2) { list.innerHTML = ""; return; }
  const data = await getJSON(`/api/search?q=${encodeURIComponent(query)}`);
  list.innerHTML = data.results.length ? "" : `<li class="empty">${escapeHtml(t("none"))}</li>`;
  for (const result of data.results) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "result";
    button.textContent = result.label;
    button.addEventListener("click", () => openResult(result));
    li.appendChild(button);
    list.appendChild(li);
  }
}

async function start() {
  const [meta, legend, measures, labels, participation, areas] = await Promise.all([
    getJSON("/api/meta"), getJSON("/api/legend"), getJSON("/api/measures"), getJSON("/api/labels"),
    getJSON("/api/participation"), getJSON("/api/areas")]);
  state.measures = measures.measures;
  state.labels = labels;
  state.participation = participation;
  state.areas = areas.areas;
  state.meta = meta;
  state.legend = legend;
  state.year = String(meta.years[0].year);
  document.title = `${meta.title} – heatplan`;
  $("#title").textContent = meta.title;
  maplibregl.setWorkerUrl(new URL("./maplibre-gl-worker.mjs", import.meta.url).href);
  const map = new maplibregl.Map({
    container: "map",
    style: baseStyle(meta),
    bounds: meta.bbox,
    fitBoundsOptions: { padding: 20 },
    attributionControl: { customAttribution: meta.attribution },
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  state.map = map;
  window.heatplanMap = map;  // for the browser tests and the curious
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  map.addControl(new maplibregl.ScaleControl(), "bottom-left");
  map.on("load", () => {
    for (const layer of meta.layers) addLayer(map, layer);
    addMeasuresLayer(map);
    renderPanel();
    refreshData();
  });
  map.on("moveend", () => refreshData());
  map.on("click", (event) => {
    if (state.picking) { pickPlace(event); return; }
    const ids = [...meta.layers.flatMap((l) => styleLayers(l.id)), ...MEASURE_LAYERS]
      .filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
    const features = map.queryRenderedFeatures(event.point, { layers: ids });
    if (!features.length) return;
    const popup = new maplibregl.Popup({ maxWidth: "340px" }).setLngLat(event.lngLat).setHTML(popupHtml(features)).addTo(map);
    const button = popup.getElement().querySelector(".open-sheet");
    if (button) button.addEventListener("click", () => { popup.remove(); openSheet(`g:${button.dataset.area}`); });
    const here = popup.getElement().querySelector(".comment-here");
    if (here) here.addEventListener("click", () => { popup.remove(); pickPlace(event); $("#comment-form textarea").focus(); });
  });
  let timer = null;
  $("#search").addEventListener("input", (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => search(e.target.value), 200);
  });
  $("#year").addEventListener("change", (e) => {
    state.year = e.target.value;
    recolour();
    if (state.sheetKey && !$("#factsheet").hidden) openSheet(state.sheetKey);
  });
  $("#lang").addEventListener("click", () => {
    state.lang = state.lang === "de" ? "en" : "de";
    document.documentElement.lang = state.lang;
    $("#lang").textContent = state.lang === "de" ? "English" : "Deutsch";
    renderPanel();
    if (state.lastSheet && !$("#factsheet").hidden) renderFactsheet(state.lastSheet);
  });
}

start().catch((error) => {
  $("#error").hidden = false;
  $("#error").textContent = String(error);
});
