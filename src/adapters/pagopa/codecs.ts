import type { PaForNodeCodec, ReportingFlowReader } from '../../services/payments/ports.js';
import { REPORTING_FLOW_LIMITS, SOAP_REQUEST_LIMITS } from '../xml/xml-limits.js';
import {
  faultResponse,
  getPaymentResponse,
  parsePaForNodeRequest,
  sendRtResponse,
  verifyResponse,
} from './pa-for-node-soap.js';
import { parseReportingFlowOffThread } from './reporting-flow-off-thread.js';

/** The creditor's SOAP codec for the pagoPA node, as the payment use cases see it (wired in container.ts). */
export const paForNodeSoapCodec: PaForNodeCodec = {
  maxRequestBytes: SOAP_REQUEST_LIMITS.maxBytes,
  parseRequest: parsePaForNodeRequest,
  verifyResponse,
  getPaymentResponse,
  sendRtResponse,
  faultResponse,
};

/** The FlussoRiversamento 1.0.4 reader (wired in container.ts). */
export const reportingFlowXmlReader: ReportingFlowReader = {
  maxBytes: REPORTING_FLOW_LIMITS.maxBytes,
  read: (xml) => parseReportingFlowOffThread(xml),
};
