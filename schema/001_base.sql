-- placeholder replaced below
CREATE SCHEMA IF NOT EXISTS recon;
