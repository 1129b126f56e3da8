/**
 * Defines Fluent's accordion and accordion item that fluent/fold.ts renders. Loaded after the first
 * render (crm-app/deferred.ts), or by an element when it first shows a fold.
 */
import '@fluentui/web-components/accordion.js';
import '@fluentui/web-components/accordion-item.js';
