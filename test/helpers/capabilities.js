'use strict';
const { serverCapabilities } = require('../../nodes/DemarcheNumerique/resolve/capabilities');

/**
 * Forgets what the nodes learnt about every server (mutation names, missing mutations), which
 * they keep for the process lifetime: each test starts as a freshly started n8n would.
 */
function forgetCapabilities() {
	serverCapabilities.mutationNames.clear();
	serverCapabilities.missing.clear();
	serverCapabilities.annotationValueKeys.clear();
}

module.exports = { forgetCapabilities };
