import { runLocalConformance } from './localFixture.js';

// The endpoints through the built-in TCP forwarder, which stands in for HAProxy where it is not installed.
runLocalConformance('forwarder');
