/** Drawings of virtual networks: SVG, terminal text, and the read-only pages that serve them. */
export { renderNetworkSvg } from './svg.js';
export { renderNetworkText, terminalSafe } from './text.js';
export { escapeXml } from './escape.js';
export { formatBitsPerSecond } from './format.js';
export { networkPages, networkName, networkHref, NETWORKS_PREFIX, type NetworkSource, type NetworkListEntry } from './pages.js';
