/**
 * DSP0200 §5.3 export messages: the ExportIndication request a WBEM server sends to a listener
 * (DSP0201 SIMPLEEXPREQ / EXPMETHODCALL / EXPPARAMVALUE NewIndication with one INSTANCE), and the
 * reading of the listener's answer (SIMPLEEXPRSP / EXPMETHODRESPONSE, an ERROR when it failed).
 */
import type { CimInstance } from '../cim/index.js';
import { EMBED_FLAGS, instanceXml } from './encode-objects.js';
import { escapeAttr } from './xml-text.js';

/** The HTTP headers of an export request (DSP0200 §6.3: CIMExport, CIMExportMethod). */
export const EXPORT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'application/xml; charset="utf-8"',
  Accept: 'application/xml',
  CIMExport: 'MethodRequest',
  CIMExportMethod: 'ExportIndication',
  CIMProtocolVersion: '1.0',
});

export function encodeExportIndication(indication: CimInstance, messageId: string): string {
  return '<?xml version="1.0" encoding="utf-8" ?>\n' +
    `<CIM CIMVERSION="2.0" DTDVERSION="2.4"><MESSAGE ID="${escapeAttr(messageId)}" PROTOCOLVERSION="1.0"><SIMPLEEXPREQ>` +
    '<EXPMETHODCALL NAME="ExportIndication"><EXPPARAMVALUE NAME="NewIndication">' +
    instanceXml(indication, EMBED_FLAGS) +
    '</EXPPARAMVALUE></EXPMETHODCALL></SIMPLEEXPREQ></MESSAGE></CIM>';
}

/**
 * Whether a listener's HTTP 200 answer accepted the indication: an EXPMETHODRESPONSE without
 * ERROR. A CIM error is reported with its code and description.
 */
export function readExportResponse(body: string): { ok: true } | { ok: false; code: number; description: string } {
  if (!/<EXPMETHODRESPONSE\b/.test(body)) return { ok: false, code: 1, description: 'the answer is not an export response' };
  const attrs = errorTagAttributes(body);
  const code = attrs === undefined ? null : /(?:^|\s)CODE="(\d+)"/.exec(attrs);
  if (code) return { ok: false, code: Number(code[1]), description: /(?:^|\s)DESCRIPTION="([^"]*)"/.exec(attrs!)?.[1] ?? '' };
  return { ok: true };
}

/**
 * The attributes of the first `<ERROR …>` tag, found by indexOf: a listener's answer is not
 * trusted, and one regular expression over it backtracked over every unclosed `<ERROR`
 * (quadratic in its length).
 */
function errorTagAttributes(body: string): string | undefined {
  for (let i = body.indexOf('<ERROR'); i >= 0; i = body.indexOf('<ERROR', i + 6)) {
    if (/[\w.:-]/.test(body.charAt(i + 6))) continue; // <ERRORS…>, another tag
    const end = body.indexOf('>', i);
    return body.slice(i + 6, end < 0 ? body.length : end);
  }
  return undefined;
}
