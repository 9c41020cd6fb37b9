from feed_generator import consumers
from smartbank.service import Service

service = Service(
    name="feed-generator",
    consumers=consumers.ALL,
    description="turns transaction events into feed items and hands them to feed",
)
