-- The server ends the session of a client that died within a second, even in
-- the middle of a long statement (PostgreSQL 14+): the lock it held is freed
-- and the run found abandoned soon after a SIGKILL, not when the statement ends.
SELECT CASE WHEN current_setting('server_version_num')::int >= 140000
            THEN set_config('client_connection_check_interval', '1000', false) END
