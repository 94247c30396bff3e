import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	DOSSIER_STATE_OPTIONS,
	dossierPartsFields,
	dossierPartsFrom,
	keyByField,
	keyByFrom,
	simplifyField,
	triggerStartDate,
} from './actions/common/fields';
import { demarcheLocator, groupeInstructeurLocator, locatorText, parseNumber } from './actions/common/locators';
import type { DossierParts, ScopeKind } from './graphql';
import { DOSSIER_STATES, dossierNumbersDocument, scopeVariables } from './graphql';
import { triggerPollDocument, triggerVariables } from './graphql/trigger';
import { searchGroupeInstructeurs } from './methods/listSearch';
import { deletedDossierJson, fetchDossier, simplifiedDossier } from './output/items';
import type { SimplifyOptions } from './output/simplify';
import { ExecutionCache } from './resolve/cache';
import { resolveDemarcheNumber } from './resolve/demarche';
import type {
	Connection,
	Emission,
	PollRequest,
	StartFrom,
	StreamName,
	SyncOptions,
	TriggerEvent,
	TriggerPlatform,
	UpdateKind,
} from './sync';
import { DEFAULT_SYNC_OPTIONS, DOSSIER_STREAMS, pollOnce, sampleOnce, takeLease } from './sync';
import { DEADLINE_CODE, apiError, getDnCredentials, graphqlRequest, isTimeoutError, requestOptionsField } from './transport';

type Row = IDataObject;

/** How many recent records "Fetch Test Event" shows. */
const SAMPLE_SIZE = 5;

/**
 * How long one poll may take by default: n8n 2.41's durable scheduler abandons a poll after
 * N8N_SCHEDULER_POLL_TIMEOUT (45 s); a poll past its budget stops and the next one carries on.
 */
const DEFAULT_BUDGET_SECONDS = 30;

/** A poll's lease outlives any poll within its budget (one request's timeout at most past it). */
const LEASE_TTL_MS = 10 * 60_000;

const DOSSIER_EVENTS: TriggerEvent[] = ['dossierDeposited', 'dossierUpdated', 'dossierStateChanged'];

interface TriggerSettings {
	scope: ScopeKind;
	scopeNumber: number;
	demarcheNumber: number;
	event: TriggerEvent;
	startFrom: StartFrom;
	startDate?: string;
	states: string[];
	simplify: boolean;
	simplifyOptions: SimplifyOptions;
	/** Version 1 also wrote `pending` on deletion items (now `pendingDeletion`, as Get Many Deleted). */
	legacyPendingKey: boolean;
	parts: DossierParts;
	sync: SyncOptions;
	countAs: UpdateKind;
	budgetMs: number;
}

function readNumber(ctx: IPollFunctions, name: string, value: unknown, required: boolean): number | undefined {
	if (!String(value ?? '').trim() && !required) return undefined;
	return parseNumber(
		ctx.getNode(),
		value,
		name,
		`Enter the ${name.toLowerCase()} number (digits only), or pick it from the list.`,
	);
}

async function readSettings(ctx: IPollFunctions): Promise<TriggerSettings> {
	// A public link (…/commencer/<path>) costs one request per poll to learn the number.
	const demarcheNumber = await resolveDemarcheNumber(ctx, ctx.getNodeParameter('demarche'));
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	let groupe: number | undefined;
	if (options.groupeInstructeur) {
		groupe = readNumber(ctx, 'Groupe instructeur', locatorText(options.groupeInstructeur), false);
	}
	const event = ctx.getNodeParameter('event') as TriggerEvent;
	const parts = dossierPartsFrom(
		(event === 'dossierDeleted' ? {} : ctx.getNodeParameter('include', {})) as IDataObject | string[],
	);
	// State changes are read from the traitements.
	if (event === 'dossierStateChanged') parts.traitements = true;
	const startFrom = ctx.getNodeParameter('startFrom', 'now') as StartFrom;
	return {
		scope: groupe === undefined ? 'demarche' : 'groupeInstructeur',
		scopeNumber: groupe ?? demarcheNumber,
		demarcheNumber,
		event,
		startFrom,
		// A start date without a zone (the date picker's) is read in the workflow's time zone.
		startDate: startFrom === 'date' ? triggerStartDate(ctx.getNode(), ctx.getNodeParameter('startDate', ''), ctx.getTimezone()) : undefined,
		states: (options.states as string[] | undefined) ?? [],
		simplify: ctx.getNodeParameter('simplify', true) as boolean,
		simplifyOptions: { keyBy: keyByFrom(ctx.getNodeParameter('keyBy', 'label')) },
		legacyPendingKey: ctx.getNode().typeVersion < 2,
		parts,
		countAs: event === 'dossierUpdated' ? ((options.countAs as UpdateKind | undefined) ?? 'any') : 'any',
		budgetMs: Math.max(1, Number(options.budgetSeconds ?? DEFAULT_BUDGET_SECONDS)) * 1000,
		sync: {
			...DEFAULT_SYNC_OPTIONS,
			maxPerPoll: Math.max(1, Number(options.maxPerPoll ?? DEFAULT_SYNC_OPTIONS.maxPerPoll)),
			overlapMs: Math.max(0, Number(options.overlapSeconds ?? DEFAULT_SYNC_OPTIONS.overlapMs / 1000)) * 1000,
		},
	};
}

/** Sends one poll request and returns each included list's connection. */
async function fetchLists(
	ctx: IPollFunctions,
	settings: TriggerSettings,
	request: PollRequest,
	clock: PlatformClock,
): Promise<Record<string, Connection<Row>>> {
	const document = triggerPollDocument(settings.scope, settings.parts);
	// A timed-out page comes back at once (not retried as is): the poll asks smaller pages.
	const { data, errors, serverDate } = await graphqlRequest.call(
		ctx,
		{ ...document, variables: triggerVariables(settings.scope, settings.scopeNumber, request) },
		{ intent: 'read', deadlineMs: clock.deadlineMs, retryTimeouts: false },
	);
	if (serverDate !== undefined) clock.serverDate = serverDate;
	if (errors?.length) {
		const { token } = await getDnCredentials(ctx);
		const timedOut = errors.some(isTimeoutError);
		throw apiError(
			ctx.getNode(),
			{
				message: timedOut
					? `The platform timed out reading the trigger's lists (${errors[0].message})`
					: `The platform could not read the trigger's lists: ${errors[0].message}`,
				description: timedOut
					? 'The platform stops a query after 30 s. The trigger asks smaller pages; if even one dossier per page times out, lower "Include" to fewer dossier parts.'
					: 'Check the démarche number and the token\'s access to it.',
				code: timedOut ? 'timeout' : errors[0].extensions?.code,
			},
			token,
		);
	}
	const root = (data as IDataObject | null)?.[settings.scope] as Record<string, Connection<Row>> | null;
	if (!root) {
		throw new NodeOperationError(ctx.getNode(), `The platform returned no ${settings.scope} ${settings.scopeNumber}`, {
			description: 'Check the number and that the credential\'s token can see it.',
		});
	}
	return root;
}

/** Fetches late dossiers in full; one that disappeared meanwhile is skipped. */
async function refetchDossiers(
	ctx: IPollFunctions,
	settings: TriggerSettings,
	numbers: number[],
	clock: PlatformClock,
): Promise<Row[]> {
	const rows: Row[] = [];
	for (const number of numbers) {
		const dossier = await fetchDossier(ctx, number, settings.parts, { notFoundAsNull: true, deadlineMs: clock.deadlineMs });
		if (dossier) rows.push(dossier as Row);
	}
	return rows;
}

/** The items of a poll: simplified (or raw) dossiers, or deletion records. */
async function toItems(
	ctx: IPollFunctions,
	settings: TriggerSettings,
	emissions: Emission<Row>[],
): Promise<INodeExecutionData[]> {
	const cache = new ExecutionCache();
	const items: INodeExecutionData[] = [];
	for (const emission of emissions) {
		const { row, stream, transition } = emission;
		if (!DOSSIER_STREAMS.has(stream)) {
			items.push({ json: deletedDossierJson(row, stream === 'pending', settings.legacyPendingKey) });
			continue;
		}
		let json: IDataObject = settings.simplify
			? await simplifiedDossier(ctx, cache, row, undefined, settings.simplifyOptions)
			: row;
		if (transition) {
			json = { ...json, previousState: transition.previousState, stateChange: { ...transition } };
		}
		items.push({ json });
	}
	return items;
}

/**
 * A dossier the platform cannot serialise (`invalid_null`) blocks its page, so the trigger waits on
 * it rather than skip it: name that dossier, so the user can report it. Other errors pass through.
 */
async function explainFailure(
	ctx: IPollFunctions,
	settings: TriggerSettings,
	request: PollRequest,
	error: unknown,
): Promise<unknown> {
	const context = (error as { context?: { code?: string; path?: string } }).context;
	const path = context?.code === 'invalid_null' ? (context.path ?? '').split('.') : [];
	const stream = path[1] as StreamName | undefined;
	const list = stream ? request.main[stream] : undefined;
	const index = Number(path[3]);
	if (!list || !DOSSIER_STREAMS.has(stream!) || path[2] !== 'nodes' || !Number.isInteger(index)) return error;
	const variables: IDataObject = {
		...scopeVariables(settings.scope, settings.scopeNumber),
		[stream === 'changes' ? 'updatedSince' : 'createdSince']: list.since,
		first: list.first,
	};
	if (list.after) variables.after = list.after;
	const numbers = await graphqlRequest
		.call(ctx, { ...dossierNumbersDocument(settings.scope), variables }, { intent: 'read', partial: true })
		.then(
			({ data }) => (data as IDataObject | null)?.[settings.scope] as { dossiers?: Connection } | undefined,
			() => undefined,
		);
	const number = numbers?.dossiers?.nodes?.[index]?.number;
	if (number === undefined) return error;
	const { token } = await getDnCredentials(ctx);
	return apiError(
		ctx.getNode(),
		{
			message: `The platform cannot read dossier ${String(number)} (invalid_null): the trigger waits on it`,
			description: `The platform fails to serialise this dossier (a server-side bug). The trigger does not skip it, so that nothing is lost: it resumes by itself once the platform serves it again. Report dossier ${String(number)} to the platform's support.`,
			code: 'invalid_null',
		},
		token,
	);
}

/** One poll's time: its deadline, and the platform's clock as its last answer gave it. */
interface PlatformClock {
	deadlineMs?: number;
	serverDate?: number;
}

/** The platform side of a poll (sync/poll.ts), through this node's credential. */
function platformOf(ctx: IPollFunctions, settings: TriggerSettings, clock: PlatformClock = {}): TriggerPlatform<Row> {
	return {
		fetchLists: async (request) => await fetchLists(ctx, settings, request, clock),
		refetchDossiers: async (numbers) => await refetchDossiers(ctx, settings, numbers, clock),
		explainFailure: async (request, error) => await explainFailure(ctx, settings, request, error),
		serverTime: () => clock.serverDate,
		isDeferral: (error) => (error as { context?: { code?: string } })?.context?.code === DEADLINE_CODE,
		isTimeout: (error) => (error as { context?: { code?: string } })?.context?.code === 'timeout',
	};
}

/** One poll; its state is saved in the node's static data with the items it describes. */
async function poll(ctx: IPollFunctions, settings: TriggerSettings): Promise<INodeExecutionData[][] | null> {
	const startedAt = Date.now();
	const release = takeLease(`${ctx.getWorkflow().id ?? ''}|${ctx.getNode().id ?? ctx.getNode().name}`, startedAt, LEASE_TTL_MS);
	if (!release) {
		ctx.logger.info('Démarche Numérique Trigger: the previous poll is still running; this one is skipped (it carries on)');
		return null;
	}
	try {
		const staticData = ctx.getWorkflowStaticData('node');
		const config = {
			scope: `${settings.scope}:${settings.scopeNumber}`,
			event: settings.event,
			startFrom: settings.startFrom,
			startDate: settings.startDate,
		};
		// Items are built (a few requests per dossier at most) after the lists: keep time for them.
		const clock: PlatformClock = { deadlineMs: startedAt + settings.budgetMs };
		const { emissions, state, failure, stopped } = await pollOnce(
			platformOf(ctx, settings, clock),
			{
				config,
				states: settings.states,
				sync: settings.sync,
				countAs: settings.countAs,
				deadlineMs: startedAt + settings.budgetMs * 0.8,
			},
			staticData.sync,
			startedAt,
		);
		// Building the items must not lose what the lists read: no deadline for them.
		const items = await toItems(ctx, settings, emissions);
		if (stopped) {
			ctx.logger.warn(
				`Démarche Numérique Trigger: the poll stopped at its time budget (${settings.budgetMs / 1000} s); the next poll carries on${failure ? ` (${(failure as Error).message})` : ''}`,
			);
		} else if (failure) {
			ctx.logger.warn(`Démarche Numérique Trigger: a request failed mid-poll; the rest waits for the next poll (${(failure as Error).message})`);
		}
		if (state) staticData.sync = state as unknown as IDataObject;
		return items.length ? [items] : null;
	} finally {
		release();
	}
}

/** "Fetch Test Event": the most recent matching records, state untouched. */
async function sample(ctx: IPollFunctions, settings: TriggerSettings): Promise<INodeExecutionData[][] | null> {
	const matching = await sampleOnce(platformOf(ctx, settings), settings.event, settings.states, SAMPLE_SIZE);
	if (!matching.length) return null;
	return [await toItems(ctx, settings, matching)];
}

export class DemarcheNumeriqueTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Démarche Numérique Trigger',
		name: 'demarcheNumeriqueTrigger',
		icon: { light: 'file:demarcheNumerique.svg', dark: 'file:demarcheNumerique.dark.svg' },
		group: ['trigger'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["event"]}}',
		description:
			'Starts the workflow when dossiers of a démarche are deposited, updated, change state or are deleted (Démarche Numérique, formerly Démarches Simplifiées)',
		defaults: { name: 'Démarche Numérique Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'demarcheNumeriqueApi', required: true }],
		properties: [
			{ ...demarcheLocator, description: 'The démarche to watch, by number or by its URL' },
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				default: 'dossierDeposited',
				options: [
					{
						name: 'Dossier Deleted',
						value: 'dossierDeleted',
						description: 'A dossier was deleted, or hidden pending deletion',
					},
					{
						name: 'Dossier Deposited',
						value: 'dossierDeposited',
						description: 'A usager deposited a new dossier',
					},
					{
						name: 'Dossier State Changed',
						value: 'dossierStateChanged',
						description: 'A dossier changed state (each change once, with the previous state)',
					},
					{
						name: 'Dossier Updated',
						value: 'dossierUpdated',
						description:
							'Anything changed on a dossier: champs, annotations, state, messages, avis, labels',
					},
				],
			},
			{
				displayName: 'Start From',
				name: 'startFrom',
				type: 'options',
				default: 'now',
				description: 'Which events the first polls emit. Changing this starts the sync over.',
				options: [
					{ name: 'Now', value: 'now', description: 'Only what happens after activation' },
					{ name: 'A Date', value: 'date', description: 'Everything since a given date' },
					{
						name: 'The Beginning',
						value: 'beginning',
						description: 'Every dossier of the démarche (a backfill, spread over several polls)',
					},
				],
			},
			{
				displayName: 'Start Date',
				name: 'startDate',
				type: 'dateTime',
				default: '',
				required: true,
				displayOptions: { show: { startFrom: ['date'] } },
			},
			simplifyField({ event: DOSSIER_EVENTS }),
			keyByField({ event: DOSSIER_EVENTS }),
			...dossierPartsFields({ event: DOSSIER_EVENTS }),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						...groupeInstructeurLocator,
						default: { mode: 'list', value: '' },
						required: false,
						description: 'Only dossiers of this groupe instructeur',
					},
					{
						displayName: 'Count as Update',
						name: 'countAs',
						type: 'options',
						default: 'any',
						displayOptions: { show: { '/event': ['dossierUpdated'] } },
						description:
							'Which changes start the workflow. A workflow that writes annotations, messages or labels on the dossiers it watches should pick "Usager\'s Champs Only", so its own writes do not trigger it again.',
						options: [
							{ name: 'Any Change', value: 'any', description: 'Champs, annotations, state, messages, avis, labels' },
							{
								name: "Usager's Champs Only",
								value: 'champs',
								description: 'Only when the usager changed the champs (dateDerniereModificationChamps moved)',
							},
							{
								name: 'Annotations Only',
								value: 'annotations',
								description: 'Only when an annotation privée changed (dateDerniereModificationAnnotations moved)',
							},
						],
					},
					{
						displayName: 'Max Dossiers Read Per Poll',
						name: 'maxPerPoll',
						type: 'number',
						default: 500,
						typeOptions: { minValue: 1 },
						description:
							'Most dossiers one poll reads from the lists (filtered ones included); a larger backlog is read by the next polls, in order',
					},
					{
						displayName: 'Overlap Window (Seconds)',
						name: 'overlapSeconds',
						type: 'number',
						default: 120,
						typeOptions: { minValue: 0 },
						description:
							'How far back each poll looks again for changes the platform committed late (behind newer ones). Repeats are dropped.',
					},
					{
						displayName: 'Poll Time Budget (Seconds)',
						name: 'budgetSeconds',
						type: 'number',
						default: DEFAULT_BUDGET_SECONDS,
						typeOptions: { minValue: 1 },
						description:
							'How long one poll may read before it stops and leaves the rest to the next poll (it does not wait out a rate limit past it). n8n\'s durable scheduler abandons a poll after 45 s.',
					},
					{
						displayName: 'States',
						name: 'states',
						type: 'multiOptions',
						default: [],
						options: DOSSIER_STATE_OPTIONS,
						description:
							'Only dossiers in these states (for state changes: the new state; for deletions: the state when deleted). None selected: all states.',
					},
				],
			},
			requestOptionsField,
		],
	};

	methods = {
		listSearch: { searchGroupeInstructeurs },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const settings = await readSettings(this);
		for (const state of settings.states) {
			if (!(DOSSIER_STATES as readonly string[]).includes(state)) {
				throw new NodeOperationError(this.getNode(), `Unknown state "${state}"`, {
					description: `Pick the states from the list (an expression may give ${DOSSIER_STATES.join(', ')}).`,
				});
			}
		}
		if (this.getMode() === 'manual') return await sample(this, settings);
		return await poll(this, settings);
	}
}
