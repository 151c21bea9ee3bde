/**
 * The WBEM server describing itself in the interop namespace (DSP1033 §7, digest E4/E5: what
 * pywbem's WBEMServer reads): exactly one CIM_ObjectManager, one CIM_Namespace per namespace,
 * the CIM-XML communication mechanism and the associations between them. The object manager is
 * hosted by the Xen host, which lives in root/virt: references to it carry that namespace.
 */
import { type CimInstance, CimInstanceName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { ProviderDeps } from '../shared/deps.js';
import { HOST_CLASS, INTEROP_NS, VIRT_NS, hostName } from '../shared/naming.js';
import { build, type Lister } from '../shared/provider.js';

export const OM_CLASS = 'CIM_ObjectManager';
export const COMM_CLASS = 'CIM_CIMXMLCommunicationMechanism';
export const NAMESPACE_CLASS = 'CIM_Namespace';
const COMM_NAME = 'CIM-XML';

export interface ServerDescriptionOptions {
  /** How clients authenticate: 'basic' when a users file is configured, else 'none'. */
  authentication?: 'basic' | 'none';
}

/**
 * DSP0200 functional profiles we implement (CIM_ObjectManagerCommunicationMechanism ValueMap):
 * 2 Basic Read, 3 Basic Write, 5 Instance Manipulation, 6 Association Traversal, 7 Query
 * Execution, 10 Pulled Read, 11 Pulled Read Count, 12 Pulled Query Execution. Not 4 Schema
 * Manipulation nor 8 Qualifier Declaration (the schema is read-only: SetQualifier, CreateClass...
 * answer CIM_ERR_NOT_SUPPORTED), not 9 Indications (not delivered yet).
 */
export const FUNCTIONAL_PROFILES = [2, 3, 5, 6, 7, 10, 11, 12];
const FUNCTIONAL_PROFILE_NAMES = [
  'Basic Read', 'Basic Write', 'Instance Manipulation', 'Association Traversal', 'Query Execution',
  'Pulled Read', 'Pulled Read Count', 'Pulled Query Execution',
];

const hostKeys = (deps: ProviderDeps) => ({ SystemCreationClassName: HOST_CLASS, SystemName: deps.hostName });

export function objectManagerName(deps: ProviderDeps): CimInstanceName {
  return CimInstanceName.of(OM_CLASS, { ...hostKeys(deps), CreationClassName: OM_CLASS, Name: deps.product.name });
}

export function commMechanismName(deps: ProviderDeps): CimInstanceName {
  return CimInstanceName.of(COMM_CLASS, { ...hostKeys(deps), CreationClassName: COMM_CLASS, Name: COMM_NAME });
}

export function namespaceName(deps: ProviderDeps, ns: string): CimInstanceName {
  return CimInstanceName.of(NAMESPACE_CLASS, {
    ...hostKeys(deps), ObjectManagerCreationClassName: OM_CLASS, ObjectManagerName: deps.product.name,
    CreationClassName: NAMESPACE_CLASS, Name: ns,
  });
}

/** The host, as seen from the interop namespace. */
function remoteHost(deps: ProviderDeps): CimInstanceName {
  return hostName(deps.hostName).withNamespace(VIRT_NS);
}

const keyValues = (n: CimInstanceName) => Object.fromEntries(n.keybindings.map((k) => [k.name, k.value as string]));

export function serverListers(deps: ProviderDeps, opts: ServerDescriptionOptions = {}): Record<string, Lister> {
  const auth = opts.authentication ?? 'basic';
  const mk = (ctx: ProviderContext, cls: string, values: Parameters<typeof build>[3]): CimInstance => build(ctx, ctx.namespace, cls, values);
  return {
    [OM_CLASS]: async (ctx) => [mk(ctx, OM_CLASS, {
      ...keyValues(objectManagerName(deps)),
      ElementName: deps.product.name,
      // pywbem takes the brand from ElementName and the version from "... version X.Y.Z".
      Description: `${deps.product.name} CIM Server version ${deps.product.version}`,
      EnabledState: 2,
      OperationalStatus: [2],
      HealthState: 5,
      Started: true,
      StartMode: 'Automatic',
      GatherStatisticalData: false,
    })],
    [COMM_CLASS]: async (ctx) => [mk(ctx, COMM_CLASS, {
      ...keyValues(commMechanismName(deps)),
      ElementName: 'CIM-XML over HTTP',
      CommunicationMechanism: 2,
      Version: '1.2',
      CIMXMLProtocolVersion: 1,
      CIMValidated: false,
      // MULTIREQ is answered 501 (cimxml/decode-envelope.ts).
      MultipleOperationsSupported: false,
      FunctionalProfilesSupported: FUNCTIONAL_PROFILES,
      FunctionalProfileDescriptions: FUNCTIONAL_PROFILE_NAMES,
      // 3 Basic, 2 None (CIM_ObjectManagerCommunicationMechanism ValueMap).
      AuthenticationMechanismsSupported: [auth === 'basic' ? 3 : 2],
      AuthenticationMechanismDescriptions: [auth === 'basic' ? 'Basic' : 'None'],
      AdvertiseTypes: [2],
      EnabledState: 2,
      OperationalStatus: [2],
    })],
    [NAMESPACE_CLASS]: async (ctx) => ctx.repository.namespaces().map((ns) => mk(ctx, NAMESPACE_CLASS, {
      ...keyValues(namespaceName(deps, ns)),
      ElementName: ns,
      // Required; none of the legacy "CIM 2.x" values fits schema 2.41, ClassType/Version say it.
      ClassInfo: 0,
      ClassType: 2,
      ClassTypeVersion: '2.41.0',
    })),
    CIM_CommMechanismForManager: async (ctx) => [mk(ctx, 'CIM_CommMechanismForManager', {
      Antecedent: objectManagerName(deps), Dependent: commMechanismName(deps),
    })],
    CIM_NamespaceInManager: async (ctx) => ctx.repository.namespaces().map((ns) => mk(ctx, 'CIM_NamespaceInManager', {
      Antecedent: objectManagerName(deps), Dependent: namespaceName(deps, ns),
    })),
    // Served in both namespaces (the host is in root/virt): every end names its namespace.
    CIM_HostedService: async (ctx) => [mk(ctx, 'CIM_HostedService', {
      Antecedent: remoteHost(deps), Dependent: objectManagerName(deps).withNamespace(INTEROP_NS),
    })],
    CIM_HostedAccessPoint: async (ctx) => [mk(ctx, 'CIM_HostedAccessPoint', {
      Antecedent: remoteHost(deps), Dependent: commMechanismName(deps).withNamespace(INTEROP_NS),
    })],
  };
}
