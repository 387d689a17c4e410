"""WhiteNoise that stays off the shared sync thread.

WhiteNoiseMiddleware is sync-only. Under ASGI one sync-only middleware makes Django run every request through it
in the single thread that also does every Channels consumer's database work, and that thread stays taken while the
rest of the request runs: one slow request (a health probe, a stuck broker) then stalls every chat turn of the
process. This subclass is async-capable: static files are still served by WhiteNoise (in a worker thread), anything
else goes straight to the next async middleware.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from whitenoise.middleware import WhiteNoiseMiddleware


class AsyncWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    sync_capable = True
    async_capable = True

    def __init__(self, get_response=None, settings=None):
        if settings is None:
            super().__init__(get_response)
        else:
            super().__init__(get_response, settings)
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _static_file(self, request):
        return self.find_file(request.path_info) if self.autorefresh else self.files.get(request.path_info)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return super().__call__(request)

    async def __acall__(self, request):
        static_file = self._static_file(request)
        if static_file is not None:
            return await sync_to_async(self.serve, thread_sensitive=False)(static_file, request)
        return await self.get_response(request)
