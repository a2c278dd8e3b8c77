// tests/node/verify_webhooks.js: verifies deliveries with the standardwebhooks library, as a receiver would.
// stdin: a JSON array of {"secret": "whsec_...", "headers": {...}, "body": "..."}; stdout: a JSON array of
// {"ok": true} or {"ok": false, "error": "..."}, one per delivery, in order.
const {Webhook} = require("standardwebhooks");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
    const results = JSON.parse(input).map((d) => {
        try {
            new Webhook(d.secret).verify(d.body, d.headers);
            return {ok : true};
        } catch (e) {
            return {ok : false, error : String(e && e.message)};
        }
    });
    process.stdout.write(JSON.stringify(results));
});
