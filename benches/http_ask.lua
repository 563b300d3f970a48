-- wrk script for benches/http_load.sh: every request is the same
-- pre-signed /ask interaction, POSTed to /interactions, so each one goes
-- through the full path: signature check, replay window, JSON parsing,
-- matching and the reply.
--
-- Environment: BODY_FILE (the interaction JSON), SIGNATURE and
-- SIGNATURE_TIMESTAMP (from `cargo run --example sign -- BODY_FILE`).

local function read(path)
  local file = assert(io.open(path, "rb"), "cannot open BODY_FILE " .. tostring(path))
  local text = file:read("*a")
  file:close()
  return text
end

wrk.method = "POST"
wrk.path = "/interactions"
wrk.body = read(os.getenv("BODY_FILE"))
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Discord-Interactions/1.0 (+https://discord.com)"
wrk.headers["X-Signature-Ed25519"] = assert(os.getenv("SIGNATURE"), "SIGNATURE is not set")
wrk.headers["X-Signature-Timestamp"] = assert(os.getenv("SIGNATURE_TIMESTAMP"), "SIGNATURE_TIMESTAMP is not set")
