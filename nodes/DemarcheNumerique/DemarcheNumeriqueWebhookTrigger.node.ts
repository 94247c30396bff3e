import type {
	IDataObject,
	IHookFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { dossierPartsFields, dossierPartsFrom, keyByField, keyByFrom, simplifyField } from './actions/common/fields';
import { demarcheLocator, locatorText } from './actions/common/locators';
import {
	DEMARCHE_WEBHOOKS,
	WEBHOOK_ACTIVER,
	WEBHOOK_CREER,
	WEBHOOK_EVENT_TYPES,
	WEBHOOK_SUPPRIMER,
} from './graphql/webhooks';
import { fetchDossier as fetchOneDossier, simplifiedDossier } from './output/items';
import { ExecutionCache } from './resolve/cache';
import { resolveDemarcheNumber } from './resolve/demarche';
import { hasMutation } from './resolve/capabilities';
import {
	acceptedLegacySecret,
	freshEvents,
	legacyDeliveryKey,
	legacySecret,
	parseLegacyCall,
	parseSignedBatch,
	rememberDigest,
	rememberKey,
	secretDigest,
	signatureProblem,
} from './sync/webhook';
import type { DnFunctions, MutationPayload } from './transport';
import { getDnCredentials, graphqlRequest, mutate } from './transport';

type Mode = 'legacy' | 'signed';

async function webhookDemarcheNumber(ctx: DnFunctions & { getNodeParameter: IHookFunctions['getNodeParameter'] }): Promise<number> {
	return await resolveDemarcheNumber(ctx, ctx.getNodeParameter('demarche'));
}

/** The dossier, simplified unless asked otherwise; null when it no longer exists. */
async function fetchDossier(ctx: IWebhookFunctions, number: number): Promise<IDataObject | null> {
	const parts = dossierPartsFrom(ctx.getNodeParameter('include', {}) as IDataObject | string[]);
	const dossier = await fetchOneDossier(ctx, number, parts, { notFoundAsNull: true });
	if (!dossier || !(ctx.getNodeParameter('simplify', true) as boolean)) return dossier;
	const keyBy = keyByFrom(ctx.getNodeParameter('keyBy', 'label'));
	return await simplifiedDossier(ctx, new ExecutionCache(), dossier, undefined, { keyBy });
}

/**
 * The event's item with the dossier read, or with `fetchError` when the read failed: the platform
 * sends each callback once, so the event is emitted whatever happens to the read (the workflow can
 * read the dossier again later, e.g. with an IF on `fetchError` and the Démarche Numérique node).
 */
async function eventItem(ctx: IWebhookFunctions, event: IDataObject, dossierNumber: number): Promise<IDataObject> {
	try {
		const dossier = await fetchDossier(ctx, dossierNumber);
		return dossier ? { ...dossier, webhookEvent: event } : { ...event, deleted: true };
	} catch (error) {
		const failure = error as { message?: string; description?: string | null; httpCode?: string | null };
		const fetchError: IDataObject = {
			message: `Could not read dossier ${dossierNumber}: ${failure.message ?? String(error)}`,
			description:
				failure.description ||
				'The event is emitted without the dossier. Read it again later with the Démarche Numérique node (Dossier > Get).',
		};
		if (failure.httpCode) fetchError.httpCode = failure.httpCode;
		return { ...event, fetchError };
	}
}

function refuse(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ error: message });
	return { noWebhookResponse: true };
}

/** The user's own secret for the callback URL ('' when none: the node generates one from the token). */
function customSecretOf(ctx: IWebhookFunctions | IHookFunctions): string {
	return String(ctx.getNodeParameter('customSecret', '') ?? '').trim();
}

async function legacyWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const { token } = await getDnCredentials(this);
	const demarche = await webhookDemarcheNumber(this);
	const staticData = this.getWorkflowStaticData('node');
	const custom = customSecretOf(this);
	const generated = custom ? undefined : legacySecret(token, String(demarche));
	const given = (this.getQueryData() as IDataObject | undefined)?.secret;
	const remembered = this.getNodeParameter('acceptEarlierSecrets', true) ? staticData.legacySecretDigests : [];
	const match = acceptedLegacySecret(given, { custom, generated, remembered });
	if (!match) return refuse(this, 401, 'Missing or wrong secret');
	const call = parseLegacyCall(this.getBodyData());
	if (!call) return refuse(this, 400, 'Expected the form fields procedure_id, dossier_id, state, updated_at');
	// Another démarche's callback pasted here by mistake: acknowledge, start nothing.
	if (call.demarcheNumber !== demarche) return { webhookResponse: 'ignored: other démarche' };

	const { fresh, memory } = rememberKey(staticData.legacyDeliveries, legacyDeliveryKey(call));
	if (!fresh) return { webhookResponse: 'duplicate' };

	const event: IDataObject = {
		demarcheNumber: call.demarcheNumber,
		dossierNumber: call.dossierNumber,
		state: call.state,
		updatedAt: call.updatedAt,
	};
	const json = (this.getNodeParameter('fetchDossier', false) as boolean)
		? await eventItem(this, event, call.dossierNumber)
		: event;
	staticData.legacyDeliveries = memory;
	// The generated secret in force is remembered, so this URL outlives a renewal of the token.
	if (match === 'generated' && generated) {
		staticData.legacySecretDigests = rememberDigest(staticData.legacySecretDigests, secretDigest(generated));
	}
	return { workflowData: [[{ json }]] };
}

async function signedWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const staticData = this.getWorkflowStaticData('node');
	const secret = String(staticData.secret ?? '');
	const request = this.getRequestObject() as unknown as { rawBody?: Buffer; body?: unknown };
	const raw = request.rawBody ?? Buffer.from(JSON.stringify(request.body ?? {}));
	const headers = this.getHeaderData() as IDataObject;
	const problem = signatureProblem(
		raw,
		{ id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
		secret,
		Math.floor(Date.now() / 1000),
	);
	if (problem) return refuse(this, 401, `Signature refused: ${problem}`);
	let body: unknown;
	try {
		body = JSON.parse(raw.toString('utf8'));
	} catch {
		body = undefined;
	}
	const batch = parseSignedBatch(body);
	if (!batch) return refuse(this, 400, 'Expected {webhook_id, demarche_number, events: [...]}');

	const { fresh, memory } = freshEvents(batch.events, staticData.sequences as never);
	staticData.sequences = memory as unknown as IDataObject;
	if (!fresh.length) return { webhookResponse: 'duplicate' };
	const fetch = this.getNodeParameter('fetchDossier', false) as boolean;
	const items: INodeExecutionData[] = [];
	for (const event of fresh) {
		const json: IDataObject = {
			sequence: event.sequence,
			type: event.type,
			dossierNumber: event.dossierNumber,
			timestamp: event.timestamp,
			demarcheNumber: batch.demarcheNumber,
			webhookId: batch.webhookId,
		};
		items.push({ json: fetch && event.dossierNumber !== null ? await eventItem(this, json, event.dossierNumber) : json });
	}
	return { workflowData: [items] };
}

/** webhookCreer's refusal of n8n's URL, with what to do about it. */
function creationError(ctx: IHookFunctions, error: unknown, url: string): unknown {
	const message = (error as { message?: string })?.message ?? '';
	if (!/webhookCreer/.test(message) || !/\burl\b/i.test(message)) return error;
	return new NodeOperationError(ctx.getNode(), `The platform refused this workflow's webhook URL (${url})`, {
		description:
			`It said: ${message}. The platform only calls public addresses: a URL on localhost, a private ` +
			'network (10.x, 172.16-31.x, 192.168.x, 127.x, 169.254.x, 100.64-127.x) or a name without a dot is ' +
			"refused. Set n8n's WEBHOOK_URL to the address the platform can reach (e.g. https://n8n.example.org/), then activate again.",
	});
}

async function eventTypesOf(ctx: IHookFunctions | ILoadOptionsFunctions): Promise<string[]> {
	const { data } = await graphqlRequest.call(ctx, { ...WEBHOOK_EVENT_TYPES }, { intent: 'read' });
	const values = ((data as IDataObject | null)?.__type as { enumValues?: Array<{ name: string }> } | null)
		?.enumValues;
	return (values ?? []).map((value) => value.name);
}

export class DemarcheNumeriqueWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Démarche Numérique Webhook Trigger',
		name: 'demarcheNumeriqueWebhookTrigger',
		icon: { light: 'file:demarcheNumerique.svg', dark: 'file:demarcheNumerique.dark.svg' },
		group: ['trigger'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["mode"]}}',
		description:
			'Starts the workflow when Démarche Numérique (formerly Démarches Simplifiées) calls back: the legacy state-change callback, or signed webhooks (v2, experimental)',
		defaults: { name: 'Démarche Numérique Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'demarcheNumeriqueApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'demarche-numerique',
			},
		],
		properties: [
			{ ...demarcheLocator, description: 'The démarche whose callbacks this node receives' },
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				noDataExpression: true,
				default: 'legacy',
				options: [
					{
						name: 'Legacy Callback (Set by Hand)',
						value: 'legacy',
						description:
							'The "lien de rappel HTTP" of the démarche\'s settings: a form POST on each state change',
					},
					{
						name: 'Signed Webhooks (V2, Experimental)',
						value: 'signed',
						description:
							'Not on the platform yet: follows an open proposal (pull request #13557) that may still change. Registered by the node on activation, signed per Standard Webhooks; only on servers that offer webhookCreer.',
					},
				],
			},
			{
				displayName:
					'Paste into the démarche\'s settings ("Notification" > "lien de rappel HTTP") the Production URL shown above followed by <code>?secret=</code> and the secret. Calls without it are refused (401). Set a <b>Secret</b> of your own: it never changes. Without one, the node generates a secret from the credential\'s token; it remembers each generated secret it sees in force (at every activation and call), so a URL already pasted keeps working after the token is renewed.',
				name: 'legacyNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { mode: ['legacy'] } },
			},
			{
				displayName: 'Secret',
				name: 'customSecret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				placeholder: 'e.g. 32 random letters and digits',
				description:
					'A secret of your own for the callback URL (append ?secret= and it to the Production URL). It does not depend on the credential: renewing the token changes nothing. Use letters and digits only (it travels in the URL). Empty: the node generates one (below).',
				displayOptions: { show: { mode: ['legacy'] } },
			},
			{
				displayName: 'Generated Secret Name or ID',
				name: 'callbackSecret',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getCallbackSecret', loadOptionsDependsOn: ['demarche.value'] },
				default: '',
				description:
					'Used when you set no secret of your own: generated from the credential and the démarche, to append to the URL as ?secret=…. A new token gives a new one; the previous ones stay accepted once the node has seen them in force. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				displayOptions: { show: { mode: ['legacy'], customSecret: [''] } },
			},
			{
				displayName: 'Accept Earlier Generated Secrets',
				name: 'acceptEarlierSecrets',
				type: 'boolean',
				default: true,
				description:
					'Whether to keep accepting the secrets generated from earlier tokens (up to 10, remembered when the node saw them in force). Turn it off once every URL on the platform carries the current secret, or if an earlier token leaked.',
				displayOptions: { show: { mode: ['legacy'] } },
			},
			{
				displayName:
					'Experimental: signed webhooks are not on Démarche Numérique yet. The node follows the open pull request #13557 (flag <code>webhooks_api</code>): events such as <code>dossier_depose</code>, <code>dossier_accepte</code>, <code>message_cree</code>; a <code>whsec_</code> secret; Standard Webhooks signatures; <code>sequence</code> is the platform\'s global event ID, with gaps. The platform refuses URLs on localhost or a private network: n8n\'s WEBHOOK_URL must be public. The design may change before it ships.',
				name: 'signedNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { mode: ['signed'] } },
			},
			{
				displayName: 'Event Type Names or IDs',
				name: 'eventTypes',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getEventTypes' },
				default: [],
				description:
					'Events to subscribe to; none selected: every event the server offers. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				displayOptions: { show: { mode: ['signed'] } },
			},
			{
				displayName: 'Fetch Dossier',
				name: 'fetchDossier',
				type: 'boolean',
				default: false,
				description:
					'Whether to read the whole dossier before starting the workflow (one request per event). If the read fails, the event is still emitted, with fetchError describing the failure.',
			},
			simplifyField({ fetchDossier: [true] }),
			keyByField({ fetchDossier: [true] }),
			...dossierPartsFields({ fetchDossier: [true] }),
		],
	};

	methods = {
		loadOptions: {
			async getCallbackSecret(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const { token } = await getDnCredentials(this);
				const locator = this.getCurrentNodeParameter('demarche');
				if (!locatorText(locator)) return [{ name: 'Choose the Démarche First', value: '' }];
				// A number or a public link (resolved by the platform); a wrong one shows its error here.
				const demarche = await resolveDemarcheNumber(this, locator);
				const secret = legacySecret(token, String(demarche));
				return [{ name: secret, value: secret, description: 'Append ?secret= and this value to the Production URL' }];
			},
			async getEventTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return (await eventTypesOf(this)).map((name) => ({ name, value: name }));
			},
		},
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if ((this.getNodeParameter('mode', 'legacy') as Mode) === 'legacy') {
					// Nothing to register. Remember the generated secret in force: after a renewal of the
					// token, the URL pasted with it is still accepted.
					if (!customSecretOf(this)) {
						const { token } = await getDnCredentials(this);
						const staticData = this.getWorkflowStaticData('node');
						staticData.legacySecretDigests = rememberDigest(
							staticData.legacySecretDigests,
							secretDigest(legacySecret(token, String(await webhookDemarcheNumber(this)))),
						);
					}
					return true;
				}
				const staticData = this.getWorkflowStaticData('node');
				if (!staticData.webhookId) return false;
				const { data } = await graphqlRequest.call(
					this,
					{ ...DEMARCHE_WEBHOOKS, variables: { demarche: await webhookDemarcheNumber(this) } },
					{ intent: 'read' },
				);
				const url = this.getNodeWebhookUrl('default');
				const hooks = ((data as IDataObject | null)?.webhooks ?? []) as Array<{
					id: string;
					url: string;
					enabled?: boolean;
				}>;
				const ours = hooks.find((hook) => hook.id === staticData.webhookId && hook.url === url);
				if (ours) {
					// Disabled by the platform after repeated failures (e.g. n8n was down): activating the
					// workflow enables it again, and the platform then delivers what it kept, in order.
					if (ours.enabled === false) {
						await mutate.call(this, {
							...WEBHOOK_ACTIVER,
							mutationField: 'webhookActiver',
							variables: { webhook: ours.id },
						});
					}
					return true;
				}
				delete staticData.webhookId;
				delete staticData.secret;
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				if ((this.getNodeParameter('mode', 'legacy') as Mode) === 'legacy') return true;
				if (!(await hasMutation(this, new ExecutionCache(), 'webhookCreer'))) {
					throw new NodeOperationError(this.getNode(), 'This server has no signed webhooks (v2)', {
						description:
							'Its API offers no webhookCreer mutation. Use the "Legacy Callback" mode, or the polling trigger.',
					});
				}
				let eventTypes = this.getNodeParameter('eventTypes', []) as string[];
				if (!eventTypes.length) eventTypes = await eventTypesOf(this);
				const url = this.getNodeWebhookUrl('default') as string;
				let payload: MutationPayload;
				try {
					payload = await mutate.call(this, {
						...WEBHOOK_CREER,
						mutationField: 'webhookCreer',
						variables: {
							demarche: await webhookDemarcheNumber(this),
							url,
							eventTypes,
							label: `n8n: ${this.getWorkflow().name ?? this.getWorkflow().id}`,
						},
					});
				} catch (error) {
					throw creationError(this, error, url);
				}
				const webhook = payload.webhook as { id?: string } | null;
				if (!webhook?.id || !payload.secret) {
					throw new NodeOperationError(this.getNode(), 'The platform created no webhook', {
						description: 'webhookCreer returned no webhook or no secret. Retry the activation.',
					});
				}
				const staticData = this.getWorkflowStaticData('node');
				staticData.webhookId = webhook.id;
				staticData.secret = String(payload.secret);
				delete staticData.sequences;
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				if ((this.getNodeParameter('mode', 'legacy') as Mode) === 'legacy') return true;
				const staticData = this.getWorkflowStaticData('node');
				if (!staticData.webhookId) return true;
				await mutate.call(this, {
					...WEBHOOK_SUPPRIMER,
					mutationField: 'webhookSupprimer',
					variables: { webhook: staticData.webhookId },
				});
				delete staticData.webhookId;
				delete staticData.secret;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const mode = this.getNodeParameter('mode', 'legacy') as Mode;
		return mode === 'signed' ? await signedWebhook.call(this) : await legacyWebhook.call(this);
	}
}
