// heatplan digital map: MapLibre GL JS with the project's own GeoJSON layers (no tile server).
import * as maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import { colourExpression, legendHtml, opacityExpression } from "./mapStyle.js";

const state = { lang: "de", year: "2030", meta: null, legend: null, map: null, visible: {} };
const $ = (sel) => document.querySelector(sel);

const TEXT = {
  de: { search: "Adresse oder Straße suchen", layers: "Ebenen", year: "Jahr", target: "Zieljahr",
        none: "Keine Treffer", factsheet: "Steckbrief", close: "Schließen", downloads: "Downloads",
        measures: "Maßnahmen", login: "Anmelden (Planung)" },
  en: { search: "Search address or street", layers: "Layers", year: "Year", target: "Target year",
        none: "No matches", factsheet: "Fact sheet", close: "Close", downloads: "Downloads",
        measures: "Measures", login: "Log in (planning)" },
};
const STATUS = {
  de: { planned: "geplant", in_progress: "in Umsetzung", completed: "abgeschlossen", delayed: "verzögert", cancelled: "eingestellt" },
  en: { planned: "planned", in_progress: "in progress", completed: "completed", delayed: "delayed", cancelled: "cancelled" },
};
const t = (key) => TEXT[state.lang][key] || key;

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
  }));
  document.body.dataset.loaded = "true";
}

function renderPanel() {
  $("#search").placeholder = t("search");
  $("#layers-title").textContent = t("layers");
  $("#year-label").textContent = t("year");
  $("#login-link").textContent = t("login");
  $("#downloads-title").textContent = t("downloads");
  $("#measures-title").textContent = t("measures");
  const status = STATUS[state.lang];
  $("#measures").innerHTML = (state.measures || []).map((m) =>
    `<li><strong>${escapeHtml(m.measure_id)}</strong> ${escapeHtml(m.title)} – ${escapeHtml(status[m.status] || m.status)}` +
    `${m.completion_date ? ` (${escapeHtml(m.completion_date)})` : ""}</li>`).join("");
  const list = $("#layer-list");
  list.innerHTML = "";
  for (const layer of state.meta.layers) {
    const spec = state.legend.layers[layer.id];
    const item = document.createElement("div");
    item.className = "layer";
    const legendItems = legendHtml(spec, state.lang);
    item.innerHTML = `<label><input type="checkbox" data-layer="${escapeHtml(layer.id)}" ${state.visible[layer.id] ? "checked" : ""}> ${escapeHtml(spec.title[state.lang])}</label>
      <details><summary>?</summary><p>${escapeHtml(spec.explanation[state.lang])}</p></details>
      <ul class="legend" ${state.visible[layer.id] ? "" : "hidden"}>${legendItems}</ul>`;
    list.appendChild(item);
  }
  list.querySelectorAll("input[type=checkbox]").forEach((box) => box.addEventListener("change", () => {
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
}

function renderFactsheet(sheet) {
  const panel = $("#factsheet");
  const L = state.lang;
  const rows = sheet.years.map((y) =>
    `<tr><td>${escapeHtml(y.label[L])}</td><td>${escapeHtml(y.area_type[L])}</td><td>${escapeHtml(y.likelihood[L])}</td></tr>`).join("");
  const options = sheet.options.rows.map((o) =>
    `<tr><td>${escapeHtml(o.label[L])}</td><td class="num">${escapeHtml(o.cost_eur_per_mwh ?? "–")}</td></tr>`).join("");
  const funding = sheet.funding.map((f) => `<li>${escapeHtml(f[L])}</li>`).join("");
  panel.innerHTML = `<button id="factsheet-close" type="button">${escapeHtml(t("close"))}</button>
    <h2>${escapeHtml(t("factsheet"))}: ${escapeHtml(sheet.place)}</h2>
    <p>${escapeHtml(sheet.summary[L])}</p>
    <table class="years"><thead><tr><th>${escapeHtml(sheet.headings.year[L])}</th><th>${escapeHtml(sheet.headings.area_type[L])}</th><th>${escapeHtml(sheet.headings.likelihood[L])}</th></tr></thead><tbody>${rows}</tbody></table>
    <h3>${escapeHtml(sheet.headings.reason[L])}</h3><p>${escapeHtml(sheet.reason[L])}</p>
    <h3>${escapeHtml(sheet.headings.timeline[L])}</h3><p>${escapeHtml(sheet.timeline[L])}</p>
    <h3>${escapeHtml(sheet.headings.options[L])}</h3><p>${escapeHtml(sheet.options.note[L])}</p>
    <table class="options"><tbody>${options}</tbody></table>
    <h3>${escapeHtml(sheet.headings.funding[L])}</h3><ul>${funding}</ul>
    <p><a href="/areas/${encodeURIComponent(sheet.area_id)}">${escapeHtml(sheet.headings.profile[L])}</a></p>`;
  panel.hidden = false;
  panel.dataset.place = sheet.place;
  $("#factsheet-close").addEventListener("click", () => { panel.hidden = true; });
  state.lastSheet = sheet;
}

async function openResult(result) {
  $("#results").innerHTML = "";
  state.map.jumpTo({ center: [result.lon, result.lat], zoom: 16 });
  if (state.marker) state.marker.remove();
  state.marker = new maplibregl.Marker().setLngLat([result.lon, result.lat]).addTo(state.map);
  renderFactsheet(await getJSON(`/api/factsheet?key=${encodeURIComponent(result.key)}`));
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
  const [meta, legend, measures] = await Promise.all([
    getJSON("/api/meta"), getJSON("/api/legend"), getJSON("/api/measures")]);
  state.measures = measures.measures;
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
  map.addControl(new maplibregl.NavigationControl(), "top-right");
  map.addControl(new maplibregl.ScaleControl(), "bottom-left");
  map.on("load", () => {
    for (const layer of meta.layers) addLayer(map, layer);
    renderPanel();
    refreshData();
  });
  map.on("moveend", () => refreshData());
  map.on("click", (event) => {
    const ids = meta.layers.flatMap((l) => styleLayers(l.id)).filter((id) => map.getLayoutProperty(id, "visibility") !== "none");
    const features = map.queryRenderedFeatures(event.point, { layers: ids });
    if (!features.length) return;
    const props = features[0].properties;
    const text = Object.entries(props).filter(([k]) => !k.startsWith("_")).map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join("");
    new maplibregl.Popup({ maxWidth: "360px" }).setLngLat(event.lngLat).setHTML(`<table>${text}</table>`).addTo(map);
  });
  let timer = null;
  $("#search").addEventListener("input", (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => search(e.target.value), 200);
  });
  $("#year").addEventListener("change", (e) => { state.year = e.target.value; recolour(); });
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
