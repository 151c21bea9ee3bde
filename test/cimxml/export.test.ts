import { expect } from 'chai';
import { CimInstance } from '../../src/cim/index.js';
import { encodeExportIndication, parseEmbeddedObject, readExportResponse } from '../../src/cimxml/index.js';

describe('cimxml: export messages (ExportIndication)', () => {
  it('writes the DSP0201 export request a listener expects, the indication as the one INSTANCE of NewIndication', () => {
    const ind = new CimInstance('CIM_InstModification');
    ind.set('IndicationIdentifier', 'xen-wbem:42');
    ind.set('SequenceNumber', 7n);
    const xml = encodeExportIndication(ind, '1001');
    expect(xml).to.match(/^<\?xml version="1.0" encoding="utf-8" \?>\n<CIM CIMVERSION="2\.0" DTDVERSION="2\.\d"><MESSAGE ID="1001" PROTOCOLVERSION="1\.0"><SIMPLEEXPREQ><EXPMETHODCALL NAME="ExportIndication"><EXPPARAMVALUE NAME="NewIndication"><INSTANCE CLASSNAME="CIM_InstModification">/);
    expect(xml).to.match(/<\/INSTANCE><\/EXPPARAMVALUE><\/EXPMETHODCALL><\/SIMPLEEXPREQ><\/MESSAGE><\/CIM>$/);
    const inner = /<INSTANCE[\s\S]*<\/INSTANCE>/.exec(xml)![0];
    const back = parseEmbeddedObject(inner) as CimInstance;
    expect(back.className).to.equal('CIM_InstModification');
    expect(String(back.get('IndicationIdentifier'))).to.equal('xen-wbem:42');
  });

  it('reads a listener answer: accepted, or the CIM error it returned', () => {
    // the byte layout pywbem's listener answers with
    const ok = '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.4"><MESSAGE ID="1001" PROTOCOLVERSION="1.4"><SIMPLEEXPRSP><EXPMETHODRESPONSE NAME="ExportIndication"/></SIMPLEEXPRSP></MESSAGE></CIM>';
    expect(readExportResponse(ok)).to.deep.equal({ ok: true });
    const full = ok.replace('<EXPMETHODRESPONSE NAME="ExportIndication"/>', '<EXPMETHODRESPONSE NAME="ExportIndication"><ERROR CODE="1" DESCRIPTION="Indication queue is full (size 5)"/></EXPMETHODRESPONSE>');
    expect(readExportResponse(full)).to.deep.equal({ ok: false, code: 1, description: 'Indication queue is full (size 5)' });
    expect(readExportResponse('<html/>').ok).to.equal(false);
    expect(readExportResponse(full.replace('<ERROR ', '<ERRORS/><ERROR '))).to.deep.equal({ ok: false, code: 1, description: 'Indication queue is full (size 5)' });
  });

  it('reads a hostile answer in linear time: a megabyte of unclosed <ERROR tags', () => {
    const hostile = `<EXPMETHODRESPONSE>${'<ERROR CODE="1" '.repeat(65_536)}`;
    for (let i = 0; i < 5; i++) expect(readExportResponse(hostile)).to.deep.equal({ ok: false, code: 1, description: '' });
  });
});
