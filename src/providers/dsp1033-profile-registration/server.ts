/**
 * The WBEM server describing itself in the interop namespace (DSP1033 §7; what pywbem's
 * WBEMServer reads): exactly one CIM_ObjectManager, one CIM_Namespace per namespace, the CIM-XML
 * communication mechanism and the associations between them. The object manager is hosted by
 * the Xen host, which lives in root/virt: references to it carry that namespace, and the
 * hosting associations are served in both namespaces so they are navigable from either end.
 */
import type { CimInstanceName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import { type Values, build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { INTEROP_NS, VIRT_NS, hostName, hostedName, namespaceName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';

const OM_CLASS = 'CIM_ObjectManager';
const COMM_CLASS = 'CIM_CIMXMLCommunicationMechanism';
const NAMESPACE_CLASS = 'CIM_Namespace';
const COMM_NAME = 'CIM-XML';

/**
 * DSP0200 functional profiles we implement (CIM_ObjectManagerCommunicationMechanism ValueMap):
 * 2 Basic Read, 3 Basic Write, 5 Instance Manipulation, 6 Association Traversal, 7 Query
 * Execution, 9 Indications (DSP1054 subscriptions, delivered by CIM-XML export), 10 Pulled Read,
 * 11 Pulled Read Count, 12 Pulled Query Execution. Not 4 Schema Manipulation nor 8 Qualifier
 * Declaration (the schema is read-only: SetQualifier, CreateClass... answer CIM_ERR_NOT_SUPPORTED).
 */
const FUNCTIONAL_PROFILES = [2, 3, 5, 6, 7, 9, 10, 11, 12];
const FUNCTIONAL_PROFILE_NAMES = [
  'Basic Read', 'Basic Write', 'Instance Manipulation', 'Association Traversal', 'Query Execution',
  'Indications', 'Pulled Read', 'Pulled Read Count', 'Pulled Query Execution',
];

function objectManagerName(deps: ProviderDeps): CimInstanceName {
  return hostedName(OM_CLASS, deps.product.name, deps.hostName);
}

function commMechanismName(deps: ProviderDeps): CimInstanceName {
  return hostedName(COMM_CLASS, COMM_NAME, deps.hostName);
}

function namespaceInstanceName(deps: ProviderDeps, ns: string): CimInstanceName {
  return namespaceName(NAMESPACE_CLASS, ns, { className: OM_CLASS, name: deps.product.name }, deps.hostName);
}

/** The host, as seen from the interop namespace. */
function remoteHost(deps: ProviderDeps): CimInstanceName {
  return hostName(deps.hostName).withNamespace(VIRT_NS);
}

const keyValues = (n: CimInstanceName): Values => Object.fromEntries(n.keybindings.map((k) => [k.name, k.value as string]));

const one = (make: (ctx: ProviderContext) => Values, cls: string): ClassSource => ({ list: async (ctx) => [build(ctx, cls, make(ctx))] });

/** The hosting associations, served in both namespaces (the host is in root/virt): every end names its namespace. */
export function hostingClasses(deps: ProviderDeps): Record<string, ClassSource> {
  return {
    CIM_HostedService: one(() => ({ Antecedent: remoteHost(deps), Dependent: objectManagerName(deps).withNamespace(INTEROP_NS) }), 'CIM_HostedService'),
    CIM_HostedAccessPoint: one(() => ({ Antecedent: remoteHost(deps), Dependent: commMechanismName(deps).withNamespace(INTEROP_NS) }), 'CIM_HostedAccessPoint'),
  };
}

export function serverClasses(deps: ProviderDeps): Record<string, ClassSource> {
  const auth = deps.authentication;
  return {
    [OM_CLASS]: one(() => ({
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
    }), OM_CLASS),
    [COMM_CLASS]: one(() => ({
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
    }), COMM_CLASS),
    [NAMESPACE_CLASS]: {
      list: async (ctx) => ctx.repository.namespaces().map((ns) => build(ctx, NAMESPACE_CLASS, {
        ...keyValues(namespaceInstanceName(deps, ns)),
        ElementName: ns,
        // Required; none of the legacy "CIM 2.x" values fits schema 2.41, ClassType/Version say it.
        ClassInfo: 0,
        ClassType: 2,
        ClassTypeVersion: '2.41.0',
      })),
    },
    CIM_CommMechanismForManager: one(() => ({ Antecedent: objectManagerName(deps), Dependent: commMechanismName(deps) }), 'CIM_CommMechanismForManager'),
    CIM_NamespaceInManager: {
      list: async (ctx) => ctx.repository.namespaces().map((ns) => build(ctx, 'CIM_NamespaceInManager', {
        Antecedent: objectManagerName(deps), Dependent: namespaceInstanceName(deps, ns),
      })),
    },
    ...hostingClasses(deps),
  };
}
