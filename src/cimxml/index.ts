/**
 * CIM-XML (DSP0201 2.4) for the server: request decoding and response encoding, no I/O.
 *
 * Decode: `decodeRequest(xml)` → CimRequest, or CimXmlProtocolError (HTTP 400/501 with a
 * CIMError header) / CimXmlRequestError (answer with `encodeError`). `parseEmbeddedObject`
 * for string values declared EmbeddedInstance/EmbeddedObject that arrived unmarked.
 * Encode: `encodeIntrinsicResponse` (chunks), `encodeExtrinsicResponse`, `encodeError`,
 * `encodeInstance` / `encodeClass` for single objects (embedded values).
 */
export {
  CimXmlProtocolError, CimXmlRequestError, isCimXmlProtocolError, isCimXmlRequestError, type CimXmlErrorHeader,
} from './errors.js';
export { decodeRequest, type DecodeLimits } from './decode-request.js';
export { parseEmbeddedObject, isUntypedProperty } from './decode-objects.js';
export { DEFAULT_LIMITS } from './xml-tree.js';
export {
  CHUNK_SIZE, encodeError, encodeExtrinsicResponse,
  encodeIntrinsicResponse, encodeIntrinsicResponseText, encodeNamedInstanceStream, joinChunks, type EncodeOptions,
} from './encode-response.js';
export {
  EMBED_FLAGS, classXml as encodeClass, instanceXml as encodeInstance, qualifierDeclarationXml as encodeQualifierDeclaration,
} from './encode-objects.js';
export { escapeAttr, escapeText } from './xml-text.js';
export { EXPORT_HEADERS, encodeExportIndication, readExportResponse } from './encode-export.js';
