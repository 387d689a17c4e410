import os

# One BLAS thread per process, set before anything imports numpy (manage.py, uvicorn's `mangaassist.asgi` and
# `celery -A mangaassist` all import this package first). A turn's matrix products are small; OpenBLAS would
# otherwise start a thread per core in every process and the web, worker and beat processes would fight over
# two cores. Scale with processes (CELERY_WORKERS), not BLAS threads.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from mangaassist.celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
