import type { Document } from './queries';

/**
 * Signed webhooks v2 (experimental: proposed upstream in the open pull request #13557 of
 * demarche.numerique.gouv.fr, flag `webhooks_api`; absent from the published schema, so the conformance
 * tests leave these documents out): the node uses them only after introspection finds `webhookCreer`.
 * The shapes are the PR's (`mutations/webhook_creer.rb`, `webhook_supprimer.rb`, `types/query_type.rb`).
 */

export const WEBHOOK_CREER: Document = {
	operationName: 'WebhookCreer',
	query: `mutation WebhookCreer($demarche: Int!, $url: String!, $eventTypes: [WebhookEventTypeEnum!]!, $label: String) {
  webhookCreer(input: { demarche: { number: $demarche }, url: $url, eventTypes: $eventTypes, label: $label }) {
    webhook { id url }
    secret
    errors { message }
  }
}`,
};

export const WEBHOOK_SUPPRIMER: Document = {
	operationName: 'WebhookSupprimer',
	query: `mutation WebhookSupprimer($webhook: ID!) {
  webhookSupprimer(input: { webhook: $webhook }) {
    id
    errors { message }
  }
}`,
};

/** Re-enables a webhook the platform disabled after repeated failures; it then delivers what it kept, in order. */
export const WEBHOOK_ACTIVER: Document = {
	operationName: 'WebhookActiver',
	query: `mutation WebhookActiver($webhook: ID!) {
  webhookActiver(input: { webhook: $webhook }) {
    webhook { id enabled }
    errors { message }
  }
}`,
};

export const DEMARCHE_WEBHOOKS: Document = {
	operationName: 'GetDemarcheWebhooks',
	query: `query GetDemarcheWebhooks($demarche: Int!) {
  webhooks(demarche: { number: $demarche }) { id url enabled }
}`,
};

/** The event types the server offers (introspection works whatever the server's version). */
export const WEBHOOK_EVENT_TYPES: Document = {
	operationName: 'GetWebhookEventTypes',
	query: `query GetWebhookEventTypes {
  __type(name: "WebhookEventTypeEnum") { enumValues { name description } }
}`,
};
