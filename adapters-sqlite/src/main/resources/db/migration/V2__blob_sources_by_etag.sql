-- Cross-key dedupe: a layer under another key of the same store with the same ETag and size is
-- the same content (S3 ETags are content hashes for these objects), so it is not fetched again.
CREATE INDEX blob_sources_by_etag ON blob_sources (store, etag, digest);
