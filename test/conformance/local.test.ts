import { requiredServer } from '../support/requiredServer.js';
import { runLocalConformance } from './localFixture.js';

// The endpoints through a real HAProxy; local-forwarder.test.ts runs the same suite through the built-in forwarder.
const haproxy = requiredServer('HAProxy', 'haproxy', 'apt-get install -y haproxy');
if (!haproxy.skip()) runLocalConformance('haproxy');
