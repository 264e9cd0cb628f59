-- Whether history was already recorded after night $1 (a rerun of an earlier
-- night then leaves it as it was known).
SELECT EXISTS (SELECT 1 FROM status_events WHERE known_from > $1::date OR known_until > $1::date)
