-- Issue 10: the video vendor that made a booking's room (`jitsi`, `videosdk`, `livekit`), so join
-- tickets, room checks and recordings ask the vendor that holds the room even after
-- `video.provider` changes. NULL before a room exists, and for rooms made before this column
-- (the built-in stand-in's Jitsi-style links), which are read as Jitsi's.
ALTER TABLE bookings ADD COLUMN video_vendor TEXT CHECK (video_vendor IN ('jitsi', 'videosdk', 'livekit'));
