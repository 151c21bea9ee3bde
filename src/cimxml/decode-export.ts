/**
 * Export requests (DSP0201 §5.3.1 SIMPLEEXPREQ / EXPMETHODCALL, digest A11): what a WBEM
 * listener receives. The server itself only sends these (indication delivery); decoding them
 * serves its tests and a possible local listener.
 */
import { CimError, type CimInstance } from '../cim/index.js';
import { CimXmlRequestError } from './errors.js';
import { callElement, decodeEnvelope } from './decode-envelope.js';
import { decodeInstance } from './decode-objects.js';
import { optionalOnlyChild, reqAttr, unexpected } from './xml-node.js';
import type { XmlLimits } from './xml-tree.js';

export interface ExportRequest {
  kind: 'export';
  messageId: string;
  protocolVersion: string;
  /** e.g. ExportIndication. */
  method: string;
  /** EXPPARAMVALUE(INSTANCE?): e.g. NewIndication. */
  params: { name: string; value: CimInstance | null }[];
}

export function decodeExportRequest(xml: string, limits?: XmlLimits): ExportRequest {
  const env = decodeEnvelope(xml, 'SIMPLEEXPREQ', limits);
  const call = callElement(env.simple);
  if (call.name !== 'EXPMETHODCALL') throw unexpected(env.simple, call);
  const method = reqAttr(call, 'NAME');
  try {
    const params = call.children.map((c) => {
      if (c.name !== 'EXPPARAMVALUE') throw unexpected(call, c);
      const v = optionalOnlyChild(c);
      return { name: reqAttr(c, 'NAME'), value: v ? decodeInstance(v) : null };
    });
    return { kind: 'export', messageId: env.messageId, protocolVersion: env.protocolVersion, method, params };
  } catch (e) {
    if (e instanceof CimError) throw new CimXmlRequestError(env.messageId, method, 'export', e);
    throw e;
  }
}
