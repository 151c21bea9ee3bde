/**
 * DSP1103 Job Control: every virt/ Job as a Xen_ConcreteJob, with
 * Xen_OwningJobElement (OwningElement = the host's VSMS: all our jobs are started by the
 * host's management functions; CIM_OwningJobElement allows one owner, DSP1103 §7.3) and
 * Xen_AffectedJobElement (AffectedElement = each virtual system the job acts on, job.affects).
 *
 * Removal: finished jobs are kept for TimeBeforeRemoval (the JobManager's retention, default
 * 5 minutes, DeleteOnCompletion TRUE) and may be deleted earlier with DeleteInstance. At most
 * MAX_FINISHED_JOBS finished jobs are kept: beyond, the first finished go first.
 */
import {
  type CimInstance, type CimInstanceName, CimDateTime, cimError, isClassNameRef,
} from '../../cim/index.js';
import { type MethodResult, type ProviderContext, type Role, ROLE_RANK } from '../../operations/provider.js';
import type { Job, JobKind, JobState, VirtError, VirtErrorKind } from '../../virt/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { RSC } from '../shared/errors.js';
import { JOB_CLASS, computerSystemName, jobClassOf, jobName, vsmsName } from '../shared/naming.js';
import { readDateTime, readNumber } from '../shared/params.js';
import type { ClassSource, Method } from '../shared/provider.js';
import { allSystems } from '../shared/systems.js';

const AFFECTED = 'Xen_AffectedJobElement';
const OWNING = 'Xen_OwningJobElement';

/**
 * CIM_ConcreteJob.JobState (DSP1103; CIM_ConcreteJob ValueMap). A job stopped by a Kill request
 * is 9 Killed, by a Terminate request (or the server stopping) 8 Terminated.
 */
const JOB_STATE: Record<JobState, number> = { new: 2, running: 4, completed: 7, terminated: 8, failed: 10 };
const KILLED = 9;

function jobState(job: Job): number {
  return job.state === 'terminated' && job.killed ? KILLED : JOB_STATE[job.state];
}

/** OperationalStatus: 2 OK, 6 Error, 10 Stopped, 17 Completed (CIM_Job description). */
const JOB_OPERATIONAL: Record<JobState, number[]> = { new: [2], running: [2], completed: [2, 17], terminated: [10, 17], failed: [6, 17] };

const JOB_STATUS_TEXT: Record<JobState, string> = {
  new: 'Submitted', running: 'Running', completed: 'Completed', terminated: 'Terminated on request', failed: 'Failed',
};

/** ErrorCode and CIM_Error.CIMStatusCode of a failed job: the closest CIM status. */
function statusCode(kind: VirtErrorKind): number {
  switch (kind) {
    case 'not_found': return 6;
    case 'invalid_argument': return 4;
    default: return 1;
  }
}

/** CIM_Error.ErrorType: 8 Oversubscription, 9 Unavailable Resource, 4 Software Error. */
function errorType(kind: VirtErrorKind): number {
  switch (kind) {
    case 'no_memory': return 8;
    case 'busy': return 9;
    default: return 4;
  }
}

/** A job as Xen_ConcreteJob (also the SourceInstance of its lifecycle indications, DSP1054). */
export function jobInstance(ctx: Pick<ProviderContext, 'repository' | 'namespace'>, job: Job, retentionMs: number): CimInstance {
  const changed = job.endTime ?? job.startTime ?? job.submittedAt;
  return build(ctx, jobClassOf(job), {
    InstanceID: job.id,
    Name: job.name,
    ElementName: job.name,
    Description: `${job.name} (affects ${job.target})`,
    JobState: jobState(job),
    JobStatus: job.state === 'terminated' && job.killed ? 'Killed on request' : JOB_STATUS_TEXT[job.state],
    OperationalStatus: JOB_OPERATIONAL[job.state],
    PercentComplete: job.percentComplete,
    TimeSubmitted: CimDateTime.fromDate(new Date(job.submittedAt)),
    StartTime: job.startTime === undefined ? undefined : CimDateTime.fromDate(new Date(job.startTime)),
    ElapsedTime: CimDateTime.interval(job.elapsedMs),
    TimeOfLastStateChange: CimDateTime.fromDate(new Date(changed)),
    TimeBeforeRemoval: CimDateTime.interval(retentionMs),
    DeleteOnCompletion: true,
    // CIM_Job.ErrorCode: zero for a job that completed without error.
    ErrorCode: job.state === 'completed' ? 0 : job.state === 'failed' && job.error ? statusCode(job.error.kind) : undefined,
    ErrorDescription: job.error && job.state !== 'completed' ? describe(job.error) : undefined,
  });
}

function describe(e: VirtError): string {
  return e.detail ? `${e.message}: ${e.detail}` : e.message;
}

/** The job's error as an embedded CIM_Error (DSP1103 GetErrors), or null. */
function errorInstance(ctx: ProviderContext, job: Job): CimInstance | null {
  if (!job.error || job.state === 'completed') return null;
  const e = job.error;
  const code = job.state === 'failed' ? statusCode(e.kind) : 1;
  return build(ctx, 'CIM_Error', {
    ErrorType: job.state === 'terminated' ? 1 : errorType(e.kind),
    OtherErrorType: job.state === 'terminated' ? (job.killed ? 'Killed on request' : 'Terminated on request') : undefined,
    OwningEntity: 'xen-wbem',
    MessageID: `xen-wbem:${e.kind}`,
    Message: describe(e),
    // 2 Information for a requested termination, 5 Major for a failure.
    PerceivedSeverity: job.state === 'terminated' ? 2 : 5,
    ProbableCause: 0,
    ErrorSource: jobName(job.id, jobClassOf(job)).toString(),
    ErrorSourceFormat: 2,
    CIMStatusCode: code,
  });
}

/** The job `name` designates: its InstanceID under its own class (a migration job is no Xen_ConcreteJob instance). */
function findJob(deps: ProviderDeps, name: CimInstanceName): Job {
  const id = name.keyString('InstanceID');
  const job = id === undefined ? undefined : deps.jobs.get(id);
  if (!job || jobClassOf(job).toLowerCase() !== name.className.toLowerCase()) throw cimError('NOT_FOUND', `no job ${name.toString()}`);
  return job;
}

/** CIM_ConcreteJob.RequestStateChange (DSP1103; CIM_ConcreteJob's return ValueMap). */
function requestStateChange(job: Job, requested: number | undefined, timeout: CimDateTime | undefined): MethodResult {
  if (requested === undefined) return { returnValue: RSC.invalidParameter };
  if (timeout && (timeout.toMilliseconds() ?? 0) > 0) return { returnValue: RSC.timeoutNotSupported };
  switch (requested) {
    case 4: // Terminate
    case 5: // Kill: both abort the operation at once (its hypervisor call is killed)
      return { returnValue: job.cancel(`${requested === 4 ? 'terminated' : 'killed'} on request (RequestStateChange ${requested})`, requested === 5) ? RSC.completed : RSC.invalidStateTransition };
    case 2: // Start
    case 3: // Suspend
    case 6: // Service
      return { returnValue: RSC.notSupported };
    default:
      return { returnValue: RSC.invalidParameter };
  }
}

/**
 * Jobs of the methods an operator may call (state changes of systems and networks, snapshots),
 * by their kind. Every other job (a system's deletion, its resources changed, a migration) was
 * started by a method only an admin may call: stopping it cuts short or undoes that change, so
 * it needs the admin role as well.
 */
const OPERATOR_JOBS: ReadonlySet<JobKind> = new Set<JobKind>(['state change', 'snapshot']);

function roleToStop(job: Job): Role {
  return OPERATOR_JOBS.has(job.kind) ? 'operator' : 'admin';
}

function checkMayStop(ctx: ProviderContext, job: Job): void {
  const needed = roleToStop(job);
  if (ROLE_RANK[ctx.principal.role] >= ROLE_RANK[needed]) return;
  throw cimError('ACCESS_DENIED', `stopping job ${job.id} (${job.name}) requires the ${needed} role, as the method that started it; user "${ctx.principal.name}" has the ${ctx.principal.role} role`);
}

function jobOf(deps: ProviderDeps, target: CimInstanceName | { className: string }, method: string): Job {
  if (isClassNameRef(target)) throw cimError('INVALID_PARAMETER', `${method} must be invoked on a job instance`);
  return findJob(deps, target as CimInstanceName);
}

/**
 * The jobs of one class (Xen_ConcreteJob here; DSP1081 serves Xen_MigrationJob the same way), with
 * the associations of those whose owner is `owner`.
 */
export function jobClasses(deps: ProviderDeps, className = JOB_CLASS, owner: CimInstanceName = vsmsName(deps.hostName)): Record<string, ClassSource> {
  const mine = (): Job[] => deps.jobs.list().filter((j) => jobClassOf(j) === className);
  return {
    [className]: {
      list: async (ctx) => mine().map((j) => jobInstance(ctx, j, deps.jobRetentionMs)),
      async get(ctx, name) {
        const id = name.keyString('InstanceID');
        const job = id === undefined ? undefined : deps.jobs.get(id);
        return job && jobClassOf(job) === className ? jobInstance(ctx, job, deps.jobRetentionMs) : undefined;
      },
      async delete(_ctx, name) {
        const job = findJob(deps, name);
        if (!job.finished) throw cimError('FAILED', `job ${job.id} is still ${job.state}; terminate it (RequestStateChange 4) first`);
        deps.jobs.remove(job.id);
      },
    },
    [OWNING]: {
      list: async (ctx) => mine().map((j) => build(ctx, OWNING, { OwningElement: owner, OwnedElement: jobName(j.id, className) })),
    },
    [AFFECTED]: {
      async list(ctx) {
        const jobs = mine();
        if (jobs.length === 0) return [];
        const systems = new Set((await allSystems(deps)).map((s) => s.name));
        // One per existing system the job acts on (a change over several systems affects each):
        // a reference must name an instance.
        return jobs.flatMap((j) => j.affects.filter((s) => systems.has(s)).map((s) => build(ctx, AFFECTED, {
          AffectedElement: computerSystemName(s),
          AffectingElement: jobName(j.id, className),
          // 2 Exclusive Use: the job holds the system's lock while it acts on it.
          ElementEffects: [2],
        })));
      },
    },
  };
}

/** KillJob is deprecated (DSP1103): RequestStateChange(5) replaces it, so it is not implemented. */
export function jobMethods(deps: ProviderDeps): Record<string, Method> {
  return {
    RequestStateChange: {
      role: 'operator',
      run: async (ctx, target, params) => {
        const job = jobOf(deps, target, 'RequestStateChange');
        checkMayStop(ctx, job);
        return requestStateChange(job, readNumber(params, 'RequestedState'), readDateTime(params, 'TimeoutPeriod'));
      },
    },
    GetError: {
      role: 'reader',
      run: async (ctx, target) => ({ returnValue: 0, out: { Error: errorInstance(ctx, jobOf(deps, target, 'GetError')) } }),
    },
    GetErrors: {
      role: 'reader',
      async run(ctx, target) {
        const e = errorInstance(ctx, jobOf(deps, target, 'GetErrors'));
        return { returnValue: 0, out: { Errors: e ? [e] : null } };
      },
    },
  };
}
