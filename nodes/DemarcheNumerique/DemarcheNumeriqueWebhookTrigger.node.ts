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
import { demarcheLocator } from './actions/common/locators';
import { DEMARCHE_WEBHOOKS, WEBHOOK_CREER, WEBHOOK_EVENT_TYPES, WEBHOOK_SUPPRIMER } from './graphql/webhooks';
import { fetchDossier as fetchOneDossier, simplifiedDossier } from './output/items';
import { ExecutionCache } from './resolve/cache';
import { resolveDemarcheNumber } from './resolve/demarche';
import { hasMutation } from './resolve/capabilities';
import {
	freshEvents,
	legacyDeliveryKey,
	legacySecret,
	parseLegacyCall,
	parseSignedBatch,
	rememberKey,
	sameSecret,
	verifySignature,
} from './sync/webhook';
import type { DnFunctions } from './transport';
import { getDnCredentials, graphqlRequest, mutate } from './transport';

type Mode = 'legacy' | 'signed';

async function demarcheNumberOf(ctx: DnFunctions & { getNodeParameter: IHookFunctions['getNodeParameter'] }): Promise<number> {
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

function refuse(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ error: message });
	return { noWebhookResponse: true };
}

async function legacyWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const { token } = await getDnCredentials(this);
	const demarche = await demarcheNumberOf(this);
	if (!sameSecret(this.getQueryData() && (this.getQueryData() as IDataObject).secret, legacySecret(token, String(demarche)))) {
		return refuse(this, 401, 'Missing or wrong secret');
	}
	const call = parseLegacyCall(this.getBodyData());
	if (!call) return refuse(this, 400, 'Expected the form fields procedure_id, dossier_id, state, updated_at');
	// Another démarche's callback pasted here by mistake: acknowledge, start nothing.
	if (call.demarcheNumber !== demarche) return { webhookResponse: 'ignored: other démarche' };

	const staticData = this.getWorkflowStaticData('node');
	const { fresh, memory } = rememberKey(staticData.legacyDeliveries, legacyDeliveryKey(call));
	if (!fresh) return { webhookResponse: 'duplicate' };

	const event: IDataObject = {
		demarcheNumber: call.demarcheNumber,
		dossierNumber: call.dossierNumber,
		state: call.state,
		updatedAt: call.updatedAt,
	};
	let json: IDataObject = event;
	if (this.getNodeParameter('fetchDossier', false) as boolean) {
		const dossier = await fetchDossier(this, call.dossierNumber);
		json = dossier ? { ...dossier, webhookEvent: event } : { ...event, deleted: true };
	}
	staticData.legacyDeliveries = memory;
	return { workflowData: [[{ json }]] };
}

async function signedWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const staticData = this.getWorkflowStaticData('node');
	const secret = String(staticData.secret ?? '');
	const request = this.getRequestObject() as unknown as { rawBody?: Buffer; body?: unknown };
	const raw = request.rawBody ?? Buffer.from(JSON.stringify(request.body ?? {}));
	if (!verifySignature(raw, this.getHeaderData()['x-webhook-signature-256'], secret)) {
		return refuse(this, 401, 'Missing or wrong X-Webhook-Signature-256');
	}
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
		if (fetch && event.dossierNumber !== null) {
			const dossier = await fetchDossier(this, event.dossierNumber);
			items.push({ json: dossier ? { ...dossier, webhookEvent: json } : { ...json, deleted: true } });
		} else items.push({ json });
	}
	return { workflowData: [items] };
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
			'Starts the workflow when Démarche Numérique (formerly Démarches Simplifiées) calls back: the legacy state-change callback, or signed webhooks (v2)',
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
						name: 'Signed Webhooks (V2)',
						value: 'signed',
						description:
							'Registered by the node on activation, signed with HMAC-SHA256; only on servers that offer webhookCreer',
					},
				],
			},
			{
				displayName:
					'Paste into the démarche\'s settings ("Notification" > "lien de rappel HTTP") the Production URL shown above followed by <code>?secret=</code> and the secret below. Calls without it are refused (401). The secret changes if the credential\'s token changes.',
				name: 'legacyNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { mode: ['legacy'] } },
			},
			{
				displayName: 'Secret Name or ID',
				name: 'callbackSecret',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getCallbackSecret', loadOptionsDependsOn: ['demarche.value'] },
				default: '',
				description:
					'The secret to append to the URL as ?secret=…, generated from the credential and the démarche. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				displayOptions: { show: { mode: ['legacy'] } },
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
				description: 'Whether to read the whole dossier before starting the workflow (one request per event)',
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
				const value = String(this.getCurrentNodeParameter('demarche', { extractValue: true }) ?? '').trim();
				if (!/^\d+$/.test(value)) return [{ name: 'Choose the Démarche First', value: '' }];
				const secret = legacySecret(token, value);
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
				if ((this.getNodeParameter('mode', 'legacy') as Mode) === 'legacy') return true;
				const staticData = this.getWorkflowStaticData('node');
				if (!staticData.webhookId) return false;
				const { data } = await graphqlRequest.call(
					this,
					{ ...DEMARCHE_WEBHOOKS, variables: { demarche: await demarcheNumberOf(this) } },
					{ intent: 'read' },
				);
				const url = this.getNodeWebhookUrl('default');
				const hooks = ((data as IDataObject | null)?.webhooks ?? []) as Array<{ id: string; url: string }>;
				if (hooks.some((hook) => hook.id === staticData.webhookId && hook.url === url)) return true;
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
				const payload = await mutate.call(this, {
					...WEBHOOK_CREER,
					mutationField: 'webhookCreer',
					variables: {
						demarche: await demarcheNumberOf(this),
						url: this.getNodeWebhookUrl('default'),
						eventTypes,
						label: `n8n: ${this.getWorkflow().name ?? this.getWorkflow().id}`,
					},
				});
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
