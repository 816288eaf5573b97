from kart_task import assert_frame_contents_equal

__all__ = ["assert_frame_contents_equal"]
