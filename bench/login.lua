-- wrk script: POST the bench user's credentials to the login endpoint.
wrk.method = "POST"
wrk.body = "username=bench-user-0&password=Bench-pass-word-1"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
