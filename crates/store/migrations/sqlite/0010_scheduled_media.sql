-- Uploads reserved by a scheduled post: kept from the unposted-uploads clean-up while the
-- scheduled post exists, attached when it is published.
ALTER TABLE media_attachments ADD COLUMN scheduled_status_id BIGINT;
