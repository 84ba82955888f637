package rlif.evaluator.data;

import java.util.Iterator;

/**
 * Where problems come from ({@code --data}): opened afresh for each pass, streamed one problem at a time.
 */
public interface ProblemSource {
    /** Opens a new pass over the problems; close it to release the file. */
    Problems open();

    /** A stable description of the source (absolute path or normalised spec), recorded in the settings. */
    String describe();

    /** One pass over a source's problems, in order. */
    interface Problems extends Iterator<Problem>, AutoCloseable {
        @Override
        void close();
    }
}
