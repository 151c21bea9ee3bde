/**
 * The CIM-XML envelope: CIM → MESSAGE → one simple request (DSP0201 §5.3.1, DSP0200 §7.5 /
 * DSP0200 §7.5 for which failure gets which HTTP status and CIMError header).
 */
import { CimXmlProtocolError, notValid, notWellFormed } from './errors.js';
import { reqAttr } from './xml-node.js';
import { XmlLimitError, parseXmlTree, type XNode, type XmlLimits } from './xml-tree.js';
import { XmlSyntaxError } from './xml-text.js';

export interface Envelope {
  messageId: string;
  protocolVersion: string;
  /** SIMPLEREQ or SIMPLEEXPREQ. */
  simple: XNode;
}

// OpenPegasus accepts any 2.<digits> (CIMVERSION, DTDVERSION) and 1.<digits> (PROTOCOLVERSION).
const V2 = /^\s*2\.\d+(\.\d+)?\s*$/;
const V1 = /^\s*1\.\d+(\.\d+)?\s*$/;

/** Parses the document and checks the envelope; `expect` is the simple request element wanted. */
export function decodeEnvelope(xml: string, expect: 'SIMPLEREQ' | 'SIMPLEEXPREQ', limits?: XmlLimits): Envelope {
  let root: XNode;
  try {
    root = parseXmlTree(xml, limits);
  } catch (e) {
    if (e instanceof XmlLimitError) throw notValid(`request refused: ${e.message}`);
    if (e instanceof XmlSyntaxError) throw notWellFormed(`request is not well-formed XML: ${e.message}`);
    throw e;
  }
  if (root.name !== 'CIM') throw notValid(`the root element is <${root.name}>, not <CIM>`);
  const cimVersion = reqAttr(root, 'CIMVERSION');
  if (!V2.test(cimVersion)) {
    throw new CimXmlProtocolError(501, 'unsupported-cim-version', `CIMVERSION "${cimVersion}" is not supported (2.x is)`);
  }
  const dtdVersion = reqAttr(root, 'DTDVERSION');
  if (!V2.test(dtdVersion)) {
    throw new CimXmlProtocolError(501, 'unsupported-dtd-version', `DTDVERSION "${dtdVersion}" is not supported (2.x is)`);
  }
  const message = root.children[0];
  if (!message || root.children.length > 1 || message.name !== 'MESSAGE') {
    throw notValid(message?.name === 'DECLARATION' ? 'a DECLARATION is not a request' : '<CIM> must hold exactly one <MESSAGE>');
  }
  const messageId = reqAttr(message, 'ID');
  const protocolVersion = reqAttr(message, 'PROTOCOLVERSION');
  if (!V1.test(protocolVersion)) {
    throw new CimXmlProtocolError(501, 'unsupported-protocol-version', `PROTOCOLVERSION "${protocolVersion}" is not supported (1.x is)`);
  }
  const simple = message.children[0];
  if (!simple || message.children.length > 1) throw notValid('<MESSAGE> must hold exactly one request element');
  if (simple.name === 'MULTIREQ' || simple.name === 'MULTIEXPREQ') {
    throw new CimXmlProtocolError(501, 'multiple-requests-unsupported', 'multiple requests in one message are not supported');
  }
  if (simple.name !== expect) {
    throw notValid(`<MESSAGE> holds <${simple.name}> where <${expect}> was expected`);
  }
  return { messageId, protocolVersion: protocolVersion.trim(), simple };
}

/** The call element after any CORRELATORs (DSP0201 2.4 §5.3.1.2: correlators are ignored here). */
export function callElement(simple: XNode): XNode {
  const calls = simple.children.filter((c) => c.name !== 'CORRELATOR');
  if (calls.length !== 1) throw notValid(`<${simple.name}> must hold exactly one method call`);
  return calls[0]!;
}
